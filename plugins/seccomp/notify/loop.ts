/**
 * The receive loop: one poll over every child's listener fd, on a thread that
 * is not the main one, and RECV/SEND on the main thread once poll says a
 * listener is readable. Never a blocking RECV per child: each would hold one
 * libuv pool thread, and four idle children made `fs.promises.stat` take 1.3 s.
 *
 * An eventfd is always polled too, so adding or removing a listener wakes the
 * poll and the next round sees the new set. The loop stops (leaving nothing to
 * keep the runtime alive) when the last listener is gone; a listener is gone
 * when poll reports POLLHUP (no process uses its filter any more).
 */
import { decodeNotification, type RawNotification } from "./struct.ts"
import type { ListenerSystem } from "./system.ts"

const POLLIN = 0x1
const POLLERR = 0x8
const POLLHUP = 0x10
const POLLNVAL = 0x20
const pollfdSize = 8
const ENOENT = 2

/** What the loop does with one listener's traffic. */
export interface ListenerClient {
  /** A notification was received; answer it with `send` (possibly later). */
  readonly onNotification: (notification: RawNotification) => void
  /** The listener was closed: every process using the filter has gone. */
  readonly onClosed: () => void
}

/**
 * The loop over one listener system. `add` takes ownership of the fd.
 *
 * @example
 * ```ts
 * declare const system: ListenerSystem
 * const loop = makeListenerLoop(system)
 * loop.add(listenerFd, { onNotification: (n) => loop.respond(listenerFd, ...), onClosed: () => {} })
 * ```
 */
export interface ListenerLoop {
  readonly add: (fd: number, client: ListenerClient) => void
  /** Stop serving and close a listener (pending calls then fail with ENOSYS in the child). */
  readonly remove: (fd: number) => void
  /** How many listeners are served. */
  readonly size: () => number
}

export const makeListenerLoop = (system: ListenerSystem): ListenerLoop => {
  const clients = new Map<number, ListenerClient>()
  let wakeFd = -1
  let running = false

  const close = (fd: number): void => {
    const client = clients.get(fd)
    if (client === undefined) return
    clients.delete(fd)
    system.close(fd)
    client.onClosed()
  }

  const receive = (fd: number): void => {
    const received = system.receive(fd)
    // ENOENT: the caller was killed or interrupted between poll and RECV; a restarted call comes back with a new id.
    if (typeof received === "number") {
      if (received !== -ENOENT) close(fd)
      return
    }
    try {
      clients.get(fd)?.onNotification(decodeNotification(received))
    } catch {
      // A client answers every notification itself (fail closed); nothing it throws may stop the loop.
    }
  }

  const round = async (): Promise<void> => {
    const fds = [wakeFd, ...clients.keys()]
    const pollfds = system.arena(pollfdSize * fds.length)
    const view = new DataView(pollfds.bytes.buffer)
    fds.forEach((fd, index) => {
      view.setInt32(pollfdSize * index, fd, true)
      view.setInt16(pollfdSize * index + 4, POLLIN, true)
    })
    const ready = await system.poll(pollfds.address, fds.length, -1)
    if (ready <= 0) return
    fds.forEach((fd, index) => {
      const events = view.getInt16(pollfdSize * index + 6, true)
      if (events === 0) return
      if (fd === wakeFd) return system.drain(fd)
      if (!clients.has(fd)) return
      if ((events & POLLIN) !== 0) receive(fd)
      else if ((events & (POLLHUP | POLLERR | POLLNVAL)) !== 0) close(fd)
    })
  }

  const run = async (): Promise<void> => {
    running = true
    try {
      while (clients.size > 0) await round()
    } finally {
      running = false
    }
  }

  const kick = (): void => {
    if (wakeFd < 0) wakeFd = system.eventfd()
    if (running) system.wake(wakeFd)
    else void run()
  }

  return {
    add: (fd, client) => {
      clients.set(fd, client)
      kick()
    },
    remove: (fd) => {
      close(fd)
      if (running) system.wake(wakeFd)
    },
    size: () => clients.size
  }
}

const loops = new WeakMap<ListenerSystem, ListenerLoop>()

/** The one loop of a listener system (one per runtime process). */
export const listenerLoop = (system: ListenerSystem): ListenerLoop => {
  let loop = loops.get(system)
  if (loop === undefined) loops.set(system, (loop = makeListenerLoop(system)))
  return loop
}
