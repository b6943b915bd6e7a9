/**
 * A broadcast of values that ends: a PubSub with a replay buffer (so a
 * subscriber that comes a moment after the start still sees the first
 * events) and an end marker (so streams finish when the supervisor stops).
 */
import { Effect, PubSub, type Scope, Stream } from "effect"

const end: unique symbol = Symbol("kakoi/hub/end")

/**
 * A value channel shared by every supervisor of a tree.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import type { Hub } from "./hub.ts"
 *
 * declare const hub: Hub<string>
 * hub.publish("app/web: started")
 * const firstTwo = Stream.runCollect(Stream.take(hub.stream, 2))
 * ```
 */
export interface Hub<A> {
  readonly publish: (value: A) => void
  readonly close: Effect.Effect<void>
  /** Every value from now on, after up to `replay` recent ones; ends when the hub closes. */
  readonly stream: Stream.Stream<A>
  /**
   * Subscribes at once (`stream` subscribes only when first pulled) and gives
   * every value published from now on: for an observer forked on a fiber of
   * its own, which may run only after more than `replay` values went by.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<A>, never, Scope.Scope>
}

/**
 * A hub keeping the last `replay` values for late subscribers.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { makeHub } from "./hub.ts"
 *
 * const values = Effect.gen(function* () {
 *   const hub = yield* makeHub<number>(10)
 *   hub.publish(1)
 *   yield* hub.close
 *   return yield* Stream.runCollect(hub.stream) // [1]
 * })
 * ```
 */
export const makeHub = <A>(replay: number): Effect.Effect<Hub<A>> =>
  Effect.map(PubSub.unbounded<A | typeof end>({ replay }), (pubsub) => {
    let closed = false
    const untilEnd = (values: Stream.Stream<A | typeof end>) => values.pipe(Stream.takeWhile((value): value is A => value !== end)) as Stream.Stream<A>
    return {
      publish: (value) => {
        if (!closed) PubSub.publishUnsafe(pubsub, value)
      },
      close: Effect.suspend(() => {
        if (closed) return Effect.void
        closed = true
        return Effect.asVoid(PubSub.publish(pubsub, end))
      }),
      stream: untilEnd(Stream.fromPubSub(pubsub)),
      subscribe: Effect.map(PubSub.subscribe(pubsub), (subscription) => untilEnd(Stream.fromSubscription(subscription)))
    }
  })
