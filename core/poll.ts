/**
 * The one poll thread of a process: every fd kakoi waits on (notify
 * listeners, children's pidfds, control channels, the pipes of web streams)
 * is polled together by one blocking `poll` on a thread that is not the main
 * one (koffi `.async` on Node, a `nonblocking` symbol on Deno, a Worker on
 * Bun); callbacks run on the main thread. Never one blocking call per child:
 * each would hold a pool thread, and idle children would starve the host's own
 * fs work.
 *
 * An eventfd is always polled too, so a new watch wakes the poll and the next
 * round sees it. The loop stops (holding nothing that keeps the runtime alive)
 * once no watch is left.
 */
import { archTable } from "./arch/mod.ts"
import { constants } from "./arch/generic.ts"
import { checked, type Libc } from "./libc.ts"

/**
 * poll(2) over `count` struct pollfd at `address` on a thread that is not the
 * caller's; resolves with poll's result (-1 on error: the caller just polls again).
 *
 * @example
 * ```ts
 * import type { PollOffThread } from "kakoi/seccomp"
 *
 * declare const poll: PollOffThread
 * declare const pollfds: bigint // one struct pollfd in memory that never moves
 * const ready = await poll(pollfds, 1, 1000) // fds with events; 0 after a second with none
 * ```
 */
export type PollOffThread = (address: bigint, count: number, timeoutMs: number) => Promise<number>

/** What the poll loop needs from the kernel. */
export interface PollSystem {
  /** A non-blocking, close-on-exec eventfd, to wake the poll. */
  readonly eventfd: () => number
  /** Add one to an eventfd (wakes a poll on it). */
  readonly wake: (fd: number) => void
  /** Reset an eventfd to zero. */
  readonly drain: (fd: number) => void
  /** A never-moving buffer and its address. */
  readonly arena: (size: number) => { readonly bytes: Uint8Array; readonly address: bigint }
  readonly poll: PollOffThread
}

/**
 * Watches fds for poll events. A watch is level-triggered and stays until
 * cancelled: a callback that does not consume what made the fd ready is called
 * again next round.
 *
 * @example
 * ```ts
 * import { constants } from "./arch/generic.ts"
 *
 * declare const watcher: FdWatcher
 * declare const pidfd: number
 * const cancel = watcher.watch(pidfd, constants.POLLIN, () => {
 *   cancel() // a pidfd is readable once the child has exited
 *   console.log("exited")
 * })
 * ```
 */
export interface FdWatcher {
  /** Call `onReady(revents)` whenever `fd` has one of `events` (or an error or hang-up); returns the cancel. */
  readonly watch: (fd: number, events: number, onReady: (revents: number) => void) => () => void
  /** How many watches are active. */
  readonly size: () => number
}

const pollfdSize = 8
/**
 * A poll ends after this long even with nothing ready: the thread it runs on
 * must come back now and then, or a worker thread that watches a child could
 * never be terminated (its pool work would wait for that child, which waits
 * for the thread to end).
 */
const roundMs = 250

/**
 * A poll loop over one system.
 *
 * @example
 * ```ts
 * declare const system: PollSystem
 * const watcher = makeFdWatcher(system)
 * ```
 */
export const makeFdWatcher = (system: PollSystem): FdWatcher => {
  interface Entry {
    readonly fd: number
    readonly events: number
    readonly onReady: (revents: number) => void
  }
  const entries = new Map<number, Entry>()
  let nextId = 0
  let wakeFd = -1
  let polling = false
  let running = false

  const round = async (): Promise<void> => {
    const watched = [...entries]
    const pollfds = system.arena(pollfdSize * (watched.length + 1))
    const view = new DataView(pollfds.bytes.buffer, pollfds.bytes.byteOffset)
    view.setInt32(0, wakeFd, true)
    view.setInt16(4, constants.POLLIN, true)
    watched.forEach(([, entry], index) => {
      view.setInt32(pollfdSize * (index + 1), entry.fd, true)
      view.setInt16(pollfdSize * (index + 1) + 4, entry.events, true)
    })
    polling = true
    const ready = await system.poll(pollfds.address, watched.length + 1, roundMs)
    polling = false
    if (ready <= 0) return
    if (view.getInt16(6, true) !== 0) system.drain(wakeFd)
    watched.forEach(([id, entry], index) => {
      const revents = view.getInt16(pollfdSize * (index + 1) + 6, true)
      // A callback earlier in this round may have cancelled this watch (and closed its fd).
      if (revents === 0 || !entries.has(id)) return
      try {
        entry.onReady(revents)
      } catch {
        // Each watcher handles its own failures; none may stop the loop for the others.
      }
    })
  }

  const run = async (): Promise<void> => {
    running = true
    try {
      while (entries.size > 0) await round()
    } finally {
      running = false
    }
  }

  // Between rounds (in callbacks) the next round sees every change; during a poll only a wake does.
  const changed = (): void => {
    if (polling) system.wake(wakeFd)
  }

  return {
    watch: (fd, events, onReady) => {
      const id = nextId++
      entries.set(id, { fd, events, onReady })
      if (wakeFd < 0) wakeFd = system.eventfd()
      if (running) changed()
      else void run()
      return () => {
        if (entries.delete(id)) changed()
      }
    },
    size: () => entries.size
  }
}

const watchers = new WeakMap<PollOffThread, FdWatcher>()

/**
 * The one watcher of a process's poll thread: everything polled through the
 * same `poll` shares one loop.
 *
 * @example
 * ```ts
 * import { constants } from "./arch/generic.ts"
 *
 * declare const system: PollSystem
 * declare const fd: number
 * fdWatcher(system).watch(fd, constants.POLLIN, () => {})
 * ```
 */
export const fdWatcher = (system: PollSystem): FdWatcher => {
  let watcher = watchers.get(system.poll)
  if (watcher === undefined) watchers.set(system.poll, (watcher = makeFdWatcher(system)))
  return watcher
}


/**
 * The poll system over one runtime's libc and its off-thread poll.
 *
 * @example
 * ```ts
 * import type { Libc } from "./libc.ts"
 *
 * declare const libc: Libc
 * declare const poll: PollOffThread
 * const watcher = fdWatcher(pollSystem(libc, poll))
 * ```
 */
export const pollSystem = (libc: Libc, poll: PollOffThread): PollSystem => {
  const arena = (size: number) => {
    const bytes = new Uint8Array(new ArrayBuffer(Math.max(8, size)))
    return { bytes, address: libc.address(bytes) }
  }
  const counter = arena(8)
  const { eventfd2 } = archTable().syscalls
  return {
    eventfd: () => checked(libc.call.syscall(eventfd2, 0, constants.EFD_CLOEXEC | constants.EFD_NONBLOCK, 0, 0, 0), libc.errno),
    wake: (fd) => {
      new DataView(counter.bytes.buffer).setBigUint64(0, 1n, true)
      libc.call.write(fd, counter.bytes, 8)
    },
    drain: (fd) => void libc.call.read(fd, counter.bytes, 8),
    arena,
    poll
  }
}
