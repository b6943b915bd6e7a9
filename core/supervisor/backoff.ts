/**
 * The wait before each restart, as an Effect Schedule driven by hand: one
 * step per restart, reset to the first delay after a stable run.
 */
import { Cause, Duration, Effect, Schedule } from "effect"
import type { ChildExit } from "./events.ts"
import { defaults, type Backoff, type BackoffOptions } from "./spec.ts"

/**
 * The default backoff as a Schedule: exponential, optionally jittered, capped.
 *
 * @example
 * ```ts
 * import { backoffSchedule } from "./backoff.ts"
 *
 * const schedule = backoffSchedule({ initialMs: 50, maxMs: 1000, jitter: false }) // 50, 100, 200, ... 1000, 1000
 * ```
 */
export const backoffSchedule = (options: BackoffOptions = {}): Schedule.Schedule<unknown, ChildExit> => {
  const { initialMs, factor, maxMs, jitter } = { ...defaults.backoff, ...options }
  const exponential = Schedule.exponential(Duration.millis(initialMs), factor)
  const shaped = jitter ? Schedule.jittered(exponential) : exponential
  return Schedule.modifyDelay(shaped, ({ duration }) => Effect.succeed(Duration.min(duration, Duration.millis(maxMs))))
}

/**
 * Steps a child's backoff; `next` is undefined once the schedule has ended.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ChildExit } from "./events.ts"
 * import type { Backoffs } from "./backoff.ts"
 *
 * declare const backoff: Backoffs
 * declare const exit: ChildExit
 * const wait = Effect.flatMap(backoff.next(exit), (ms) => (ms === undefined ? Effect.fail("give up") : Effect.sleep(ms)))
 * ```
 */
export interface Backoffs {
  readonly next: (exit: ChildExit) => Effect.Effect<number | undefined>
  readonly reset: Effect.Effect<void>
}

/**
 * A driver for one child's backoff. A Schedule keeps its state inside the
 * step function, so resetting means taking a fresh step function.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { backoffs } from "./backoff.ts"
 *
 * const delays = Effect.gen(function* () {
 *   const backoff = yield* backoffs({ initialMs: 10, jitter: false })
 *   const exit = { pid: 1, exitCode: 1, signal: undefined, durationMs: 1, diagnosis: undefined }
 *   return [yield* backoff.next(exit), yield* backoff.next(exit)] // [10, 20]
 * })
 * ```
 */
export const backoffs = (backoff: Backoff | undefined): Effect.Effect<Backoffs> =>
  Effect.gen(function* () {
    const schedule = backoff === undefined || !Schedule.isSchedule(backoff) ? backoffSchedule(backoff) : backoff
    const fresh = Schedule.toStep(schedule) as Effect.Effect<(now: number, input: ChildExit) => Effect.Effect<readonly [unknown, Duration.Duration], unknown>>
    let step = yield* fresh
    return {
      next: (exit) =>
        Effect.clockWith((clock) => step(clock.currentTimeMillisUnsafe(), exit)).pipe(
          Effect.map(([, delay]) => Duration.toMillis(delay)),
          // The schedule ended (Cause.Done) or failed: either way there is no next restart.
          Effect.catchCause((cause) => (Cause.hasInterrupts(cause) ? Effect.failCause(cause as Cause.Cause<never>) : Effect.succeed(undefined)))
        ),
      reset: Effect.map(fresh, (fresh) => void (step = fresh))
    }
  })
