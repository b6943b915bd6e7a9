/** One run of a child, worker or nested supervisor, as the supervisor loop sees it. */
import type { Effect } from "effect"
import type { ChildExit } from "./events.ts"
import type { ChildStatus } from "./status.ts"

/**
 * One run of a child, as the supervisor loop drives it: wait for it to be
 * ready, to end, or stop it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Instance } from "./instance.ts"
 *
 * declare const instance: Instance<never>
 * const stopIfNotReady = Effect.flatMap(instance.ready, (ready) => (ready ? Effect.void : Effect.asVoid(instance.stop)))
 * ```
 */
export interface Instance<R> {
  /** The process id; undefined for a nested supervisor. */
  readonly pid: number | undefined
  /** Completes when the child has ended (and, for a worker in its own group, the rest of the group is killed). */
  readonly exit: Effect.Effect<ChildExit, never, R>
  /** True once the child is ready; false when it ended or timed out first (it is then being stopped). */
  readonly ready: Effect.Effect<boolean, never, R>
  /** Stop gracefully and wait until it has ended; safe to call more than once. */
  readonly stop: Effect.Effect<ChildExit, never, R>
  /** The statuses below this child (a nested supervisor's children). */
  readonly below: Effect.Effect<ReadonlyArray<ChildStatus>>
}
