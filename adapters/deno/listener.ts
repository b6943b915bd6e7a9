/**
 * The notify listener system on Deno: poll(2) through a `nonblocking` FFI
 * symbol on Deno's blocking pool. Kept apart from native.ts, which the
 * launcher loads with --no-config (it could not resolve effect).
 */
import { listenerSystem, type ListenerSystem, type PollOffThread } from "../../plugins/seccomp/notify/system.ts"
import { denoLibc } from "./native.ts"

const SYS_poll = 7

const bindPollOffThread = () =>
  Deno.dlopen("libc.so.6", { syscall: { parameters: ["i64", "i64", "i64", "i64"], result: "i64", nonblocking: true } }).symbols.syscall

let pollOffThread: ReturnType<typeof bindPollOffThread> | undefined

/**
 * poll(2) on one of Deno's blocking-pool threads (a `nonblocking` symbol), for
 * the notify receive loop.
 *
 * @example
 * ```ts
 * const ready = await denoPollOffThread(address, 2, -1)
 * ```
 */
export const denoPollOffThread: PollOffThread = async (address, count, timeoutMs) => {
  pollOffThread ??= bindPollOffThread()
  return Number(await pollOffThread(BigInt(SYS_poll), address, BigInt(count), BigInt(timeoutMs)))
}

let listeners: ListenerSystem | undefined

/** The listener system on Deno, one per process (one receive loop for every child). */
export const denoListenerSystem = (): ListenerSystem => (listeners ??= listenerSystem(denoLibc(), denoPollOffThread))
