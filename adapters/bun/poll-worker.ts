/**
 * The Bun notify loop's poll thread: bun:ffi calls block the thread that makes
 * them and Bun has no off-thread FFI call, so poll(2) runs in this Worker. It
 * takes { address, count, timeoutMs } (a struct pollfd array in the main
 * thread's never-moving memory: same process, same address) and answers with
 * poll's result.
 */
import { dlopen } from "bun:ffi"

const SYS_poll = 7
const { symbols } = dlopen("libc.so.6", { syscall: { args: ["i64", "i64", "i64", "i64"], returns: "i64" } })

declare const self: Worker

self.onmessage = (event: MessageEvent<{ readonly address: bigint; readonly count: number; readonly timeoutMs: number }>) => {
  const { address, count, timeoutMs } = event.data
  self.postMessage(Number(symbols.syscall(SYS_poll, address, count, timeoutMs)))
}
