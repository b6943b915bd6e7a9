/**
 * Graceful stop: the stop signal to the child (its whole process group by
 * default), a grace period, then SIGKILL.
 */
import { Effect } from "effect"
import type { SignalName } from "../signals.ts"
import type { ChildExit } from "./events.ts"
import type { StopPolicy } from "./spec.ts"

/**
 * Signal, wait up to `policy.timeoutMs` for `exit`, then SIGKILL and wait again.
 * `send` delivers a signal to the child or its group.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { stopGracefully } from "./stop.ts"
 *
 * declare const exit: Effect.Effect<import("./events.ts").ChildExit>
 * const stopped = stopGracefully((signal) => process.kill(1234, signal), exit, { signal: "SIGTERM", timeoutMs: 2000 })
 * ```
 */
export const stopGracefully = <R>(
  send: (signal: SignalName) => boolean,
  exit: Effect.Effect<ChildExit, never, R>,
  policy: StopPolicy
): Effect.Effect<ChildExit, never, R> =>
  Effect.gen(function* () {
    send(policy.signal)
    const graceful = yield* Effect.timeoutOption(exit, policy.timeoutMs)
    if (graceful._tag === "Some") return graceful.value
    send("SIGKILL")
    return yield* exit
  })
