/**
 * poll(2) through a `nonblocking` FFI symbol on Deno's blocking pool, for the
 * process's one poll thread (core/poll.ts): notify listeners, children's
 * pidfds and pipes.
 */
import type { PollOffThread } from "../../core/poll.ts"

const SYS_poll = 7

const bindPollOffThread = () =>
  Deno.dlopen("libc.so.6", { syscall: { parameters: ["i64", "i64", "i64", "i64"], result: "i64", nonblocking: true } }).symbols.syscall

let pollOffThread: ReturnType<typeof bindPollOffThread> | undefined

/**
 * poll(2) on one of Deno's blocking-pool threads (a `nonblocking` symbol), for
 * the process's poll loop.
 *
 * @example
 * ```ts
 * declare const address: bigint // two struct pollfd in a never-moving arena
 * const ready = await denoPollOffThread(address, 2, -1) // how many fds are ready, -1 on error
 * ```
 */
export const denoPollOffThread: PollOffThread = async (address, count, timeoutMs) => {
  pollOffThread ??= bindPollOffThread()
  return Number(await pollOffThread(BigInt(SYS_poll), address, BigInt(count), BigInt(timeoutMs)))
}
