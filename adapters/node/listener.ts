/**
 * poll(2) on Node's libuv pool (koffi's `.async`), for the process's one poll
 * thread (core/poll.ts): notify listeners, children's pidfds and pipes.
 */
import type { PollOffThread } from "../../core/poll.ts"
import { koffi } from "./native.ts"

type Koffi = typeof import("koffi")

type KoffiFunction = ReturnType<ReturnType<Koffi["load"]>["func"]>
let pollFunction: KoffiFunction | undefined

const SYS_poll = 7

/**
 * poll(2) on a libuv pool thread: one pool thread for every watched fd, so
 * the host's own fs work keeps the rest of the pool.
 *
 * @example
 * ```ts
 * declare const address: bigint // two struct pollfd in a never-moving arena
 * const ready = await nodePollOffThread(address, 2, -1) // how many fds are ready, -1 on error
 * ```
 */
export const nodePollOffThread: PollOffThread = (address, count, timeoutMs) =>
  new Promise((resolve) => {
    // syscall(SYS_poll, fds, nfds, timeout): the address stays valid while the arena is referenced by the caller.
    pollFunction ??= koffi.load("libc.so.6").func("syscall", "int64_t", ["int64_t", "int64_t", "int64_t", "int64_t"])
    pollFunction.async(SYS_poll, address, count, timeoutMs, (error: unknown, result: unknown) =>
      resolve(error ? -1 : Number(result)))
  })
