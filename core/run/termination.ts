/**
 * Stopping a child before it ends by itself: a timeout, an AbortSignal, a
 * full output buffer or a `kill()` sends the kill signal to its whole tree;
 * if it is still there `forceKillAfterDelay` ms later, SIGKILL follows. All
 * timing goes through Effect's Clock, so the TestClock drives it in tests.
 */
import { Effect, Fiber, Option } from "effect"
import type { SignalName } from "../signals.ts"
import type { Settings } from "./options.ts"

/**
 * Why kakoi stopped a child: the timeout passed, the cancel signal aborted, an output stream overflowed, or `kill()`.
 *
 * @example
 * ```ts
 * import type { StopReason } from "./termination.ts"
 *
 * const why: StopReason = "timeout"
 * ```
 */
export type StopReason = "timeout" | "cancel" | "maxBuffer" | "kill"

/**
 * How a child's end relates to kakoi stopping it, in execa's words.
 *
 * @example
 * ```ts
 * import type { Termination } from "./termination.ts"
 *
 * const ranOut: Termination = { timedOut: true, isCanceled: false, isForcefullyTerminated: false }
 * ```
 */
export interface Termination {
  /** Stopped because `timeout` passed. */
  readonly timedOut: boolean
  /** Stopped because `cancelSignal` aborted. */
  readonly isCanceled: boolean
  /** SIGKILL had to follow the kill signal after `forceKillAfterDelay`. */
  readonly isForcefullyTerminated: boolean
}

/**
 * What `superviseEnd` returns: the awaited value, why kakoi stopped the child if it did, and the flags.
 *
 * @example
 * ```ts
 * import type { Ended } from "./termination.ts"
 *
 * const byItself: Ended<number> = { value: 0, reason: undefined, timedOut: false, isCanceled: false, isForcefullyTerminated: false }
 * ```
 */
export interface Ended<A> extends Termination {
  readonly value: A
  readonly reason: StopReason | undefined
}

/** Succeeds when `signal` aborts (at once if it already has); the listener goes away with the fiber. */
const aborted = (signal: AbortSignal): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    if (signal.aborted) return resume(Effect.void)
    const onAbort = (): void => resume(Effect.void)
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

type First<A> = { readonly finished: true; readonly value: A } | { readonly finished: false; readonly reason: StopReason }

/**
 * Wait for `finished` (the exit, and for `run` the end of the output too),
 * stopping the child when the timeout passes, `cancelSignal` aborts or
 * `requested` succeeds with a reason (undefined: nothing else can ask, as
 * for a `run` with no piped output). `signalTree` delivers a signal to the
 * child and its descendants. A "kill" request means the caller has already
 * sent its signal; only the SIGKILL deadline is armed for it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { defaultSettings } from "./options.ts"
 * import { superviseEnd } from "./termination.ts"
 *
 * declare const exit: Effect.Effect<number>
 * const ended = superviseEnd(exit, (signal) => process.kill(-1234, signal), { ...defaultSettings, timeout: 300 }, Effect.never)
 * // ended succeeds with { value, reason: "timeout", timedOut: true, ... } if the child outlives 300 ms
 * ```
 */
export const superviseEnd = <A, R>(
  finished: Effect.Effect<A, never, R>,
  signalTree: (signal: SignalName) => boolean,
  settings: Pick<Settings, "timeout" | "cancelSignal" | "killSignal" | "forceKillAfterDelay">,
  requested: Effect.Effect<StopReason> | undefined
): Effect.Effect<Ended<A>, never, R> => {
  const stop = (reason: StopReason) => (effect: Effect.Effect<unknown>): Effect.Effect<First<A>> =>
    Effect.as(effect, { finished: false, reason })
  // Only what can end the wait races (a fiber each): no timeout or no cancel signal adds no fiber that never ends.
  const stoppers: ReadonlyArray<Effect.Effect<First<A>>> = [
    ...(settings.timeout === undefined ? [] : [stop("timeout")(Effect.sleep(settings.timeout))]),
    ...(settings.cancelSignal === undefined ? [] : [stop("cancel")(aborted(settings.cancelSignal))]),
    ...(requested === undefined ? [] : [Effect.map(requested, (reason): First<A> => ({ finished: false, reason }))])
  ]
  // Nothing can stop it early: just wait, with no fiber and no race.
  if (stoppers.length === 0) return Effect.map(finished, (value) => ({ value, reason: undefined, timedOut: false, isCanceled: false, isForcefullyTerminated: false }))
  return Effect.gen(function* () {
    // Its own fiber: losing a race must not interrupt the wait itself, which the end still needs. Started at once,
    // not on the scheduler's next turn (a setImmediate: tens of µs of a spawn on Deno and Bun).
    const waiting = yield* Effect.forkChild(finished, { startImmediately: true })
    const first: First<A> = yield* Effect.raceAllFirst([Effect.map(Fiber.join(waiting), (value): First<A> => ({ finished: true, value })), ...stoppers])
    if (first.finished) return { value: first.value, reason: undefined, timedOut: false, isCanceled: false, isForcefullyTerminated: false }
    if (first.reason !== "kill") signalTree(settings.killSignal)
    let forced = false
    if (settings.forceKillAfterDelay !== undefined) {
      const inTime = yield* Effect.timeoutOption(Fiber.join(waiting), settings.forceKillAfterDelay)
      if (Option.isNone(inTime)) {
        signalTree("SIGKILL")
        forced = true
      }
    }
    return {
      value: yield* Fiber.join(waiting),
      reason: first.reason,
      timedOut: first.reason === "timeout",
      isCanceled: first.reason === "cancel",
      isForcefullyTerminated: forced
    }
  })
}
