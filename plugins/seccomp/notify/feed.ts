/**
 * The Effect form of watching notified calls: a Stream fed by the plain
 * `notify.onNotification` callback. Kept apart from the plugin's type, whose
 * adapters accept it by its type arguments alone (a Plugin with an extra
 * member no longer fits them).
 */
import { Effect, PubSub, Stream } from "effect"
import type { Notification } from "./handler.ts"

/**
 * A feed of notified calls: pass `onNotification` to `seccomp(p, { notify })`
 * (one feed may serve several plugins), read `notifications`.
 *
 * @example
 * ```ts
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const feed = notificationFeed()
 * const fence = seccomp(policy({ default: "notify" }), { notify: { onNotification: feed.onNotification } })
 * ```
 */
export interface NotificationFeed {
  readonly onNotification: (notification: Notification) => void
  /**
   * Every call told to `onNotification`, in arrival order, before its handler
   * answers (observers only; handlers decide). A stream sees the calls made
   * after it starts, each stream all of them; it never ends by itself.
   */
  readonly notifications: Stream.Stream<Notification>
}

/**
 * A new feed. Unbounded and without replay: nothing is kept while no stream
 * reads, and a slow reader never holds up the answer to the child.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { answer, notificationFeed, policy, seccomp } from "kakoi/seccomp"
 *
 * const feed = notificationFeed()
 * const fence = seccomp(policy((rule) => rule.notify(() => answer.allow(), "mkdir"), { default: "allow" }), {
 *   notify: { onNotification: feed.onNotification }
 * })
 * Effect.runFork(Stream.runForEach(feed.notifications, (n) => Effect.logInfo(`${n.pid} ${n.name}(${n.args[0]})`)))
 * ```
 */
export const notificationFeed = (): NotificationFeed => {
  const hub = Effect.runSync(PubSub.unbounded<Notification>())
  return {
    onNotification: (notification) => void PubSub.publishUnsafe(hub, notification),
    notifications: Stream.fromPubSub(hub)
  }
}
