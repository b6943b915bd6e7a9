/**
 * The notify receive loop: every child's listener on the process's one poll
 * thread (core/poll.ts, shared with the children's pidfds and pipes), and
 * RECV/SEND on the main thread once poll says a listener is readable. Never a
 * blocking RECV per child: each would hold one libuv pool thread, and four idle
 * children made `fs.promises.stat` take 1.3 s. A listener is gone when poll
 * reports POLLHUP (no process uses its filter any more).
 */
import { fdWatcher } from "../../../core/poll.ts"
import { constants, errno } from "../../../core/arch/generic.ts"
import { decodeNotification, type RawNotification } from "./struct.ts"
import type { ListenerSystem } from "./system.ts"

const { ENOENT } = errno

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
 * import type { ListenerSystem } from "./system.ts"
 *
 * declare const system: ListenerSystem
 * declare const listenerFd: number
 * const loop = makeListenerLoop(system)
 * loop.add(listenerFd, { onNotification: (notification) => console.log(notification.id), onClosed: () => {} })
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
  const watcher = fdWatcher(system)
  const clients = new Map<number, { readonly client: ListenerClient; readonly cancel: () => void }>()

  const close = (fd: number): void => {
    const served = clients.get(fd)
    if (served === undefined) return
    clients.delete(fd)
    served.cancel()
    system.close(fd)
    served.client.onClosed()
  }

  const receive = (fd: number): void => {
    const received = system.receive(fd)
    // ENOENT: the caller was killed or interrupted between poll and RECV; a restarted call comes back with a new id.
    if (typeof received === "number") {
      if (received !== -ENOENT) close(fd)
      return
    }
    try {
      clients.get(fd)?.client.onNotification(decodeNotification(received))
    } catch {
      // A client answers every notification itself (fail closed); nothing it throws may stop the loop.
    }
  }

  return {
    add: (fd, client) => {
      const cancel = watcher.watch(fd, constants.POLLIN, (revents) => {
        if ((revents & constants.POLLIN) !== 0) receive(fd)
        else close(fd)
      })
      clients.set(fd, { client, cancel })
    },
    remove: close,
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
