/**
 * `map` and `flatMap` that go on at once when the Effect is already settled:
 * `Effect.succeed(x)` is an `Exit`, and most hooks on the spawn path answer
 * that way, so their result is used here instead of as one more step of the
 * fiber's loop (each step is a few µs while the runtime's JIT has not
 * compiled the path yet, as in a process's first spawns).
 */
import { Effect, Exit } from "effect"

/**
 * The Effect as the successful Exit it already is, or undefined.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { succeeded } from "./settled.ts"
 *
 * succeeded(Effect.succeed(1))?.value // 1
 * succeeded(Effect.sync(() => 1)) // undefined: it has not run
 * ```
 */
export const succeeded = <A, E, R>(effect: Effect.Effect<A, E, R>): Exit.Success<A, E> | undefined => {
  if (!Exit.isExit(effect)) return undefined
  const exit = effect as Exit.Exit<A, E>
  return Exit.isSuccess(exit) ? exit : undefined
}

/**
 * `Effect.map`, applied now to an Effect that has already succeeded.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { mapNow } from "./settled.ts"
 *
 * const two = mapNow(Effect.succeed(1), (n) => n + 1) // Effect.succeed(2), made at once
 * ```
 */
export const mapNow = <A, B, E, R>(effect: Effect.Effect<A, E, R>, f: (a: A) => B): Effect.Effect<B, E, R> => {
  const done = succeeded(effect)
  return done === undefined ? Effect.map(effect, f) : Effect.succeed(f(done.value))
}

/**
 * `Effect.flatMap`, called now on an Effect that has already succeeded.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { flatMapNow } from "./settled.ts"
 *
 * const two = flatMapNow(Effect.succeed(1), (n) => Effect.succeed(n + 1)) // f's own Effect, called at once
 * ```
 */
export const flatMapNow = <A, B, E, E2, R, R2>(effect: Effect.Effect<A, E, R>, f: (a: A) => Effect.Effect<B, E2, R2>): Effect.Effect<B, E | E2, R | R2> => {
  const done = succeeded(effect)
  return done === undefined ? Effect.flatMap(effect, f) : f(done.value)
}
