/**
 * The notify listener system on Node: poll(2) through koffi's `.async` on a
 * libuv pool thread. Kept apart from native.ts, which the launcher loads: the
 * launcher must not pay for loading effect.
 */
import { listenerSystem, type ListenerSystem, type PollOffThread } from "../../plugins/seccomp/notify/system.ts"
import { koffi, nodeLibc } from "./native.ts"

type Koffi = typeof import("koffi")

type KoffiFunction = ReturnType<ReturnType<Koffi["load"]>["func"]>
let pollFunction: KoffiFunction | undefined

/**
 * poll(2) on a libuv pool thread (koffi's `.async`), for the notify receive
 * loop: one pool thread for every listener, so the host's own fs work keeps
 * the rest of the pool.
 *
 * @example
 * ```ts
 * const ready = await nodePollOffThread(address, 2, -1)
 * ```
 */
export const nodePollOffThread: PollOffThread = (address, count, timeoutMs) =>
  new Promise((resolve) => {
    // syscall(SYS_poll, fds, nfds, timeout): the address stays valid while the arena is referenced by the caller.
    pollFunction ??= koffi.load("libc.so.6").func("syscall", "int64_t", ["int64_t", "int64_t", "int64_t", "int64_t"])
    pollFunction.async(SYS_poll, address, count, timeoutMs, (error: unknown, result: unknown) =>
      resolve(error ? -1 : Number(result)))
  })

const SYS_poll = 7

let listeners: ListenerSystem | undefined

/**
 * The listener system on Node, one per process: every layer built from it
 * shares one receive loop, so one pool thread polls for every child.
 *
 * @example
 * ```ts
 * const system = nodeListenerSystem()
 * ```
 */
export const nodeListenerSystem = (): ListenerSystem => (listeners ??= listenerSystem(nodeLibc(), nodePollOffThread))
