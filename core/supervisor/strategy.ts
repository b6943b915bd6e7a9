/** The restart rules: whether an ended child restarts, and which siblings restart with it. */
import type { ChildExit } from "./events.ts"
import type { RestartType, Strategy } from "./spec.ts"

/**
 * A normal end is exit code 0; a signal or any other code is abnormal.
 *
 * @example
 * ```ts
 * import { shouldRestart } from "./strategy.ts"
 *
 * const clean = { pid: 1, exitCode: 0, signal: undefined, durationMs: 5, diagnosis: undefined }
 * shouldRestart("transient", clean) // false
 * shouldRestart("permanent", clean) // true
 * ```
 */
export const shouldRestart = (restart: RestartType, exit: ChildExit): boolean => {
  switch (restart) {
    case "permanent":
      return true
    case "transient":
      return exit.signal !== undefined || exit.exitCode !== 0
    case "temporary":
      return false
  }
}

/**
 * The indices, in start order, of the children that restart when child
 * `failed` of `count` restarts.
 *
 * @example
 * ```ts
 * import { restartSet } from "./strategy.ts"
 *
 * restartSet("rest-for-one", 1, 4) // [1, 2, 3]
 * ```
 */
export const restartSet = (strategy: Strategy, failed: number, count: number): ReadonlyArray<number> => {
  const all = Array.from({ length: count }, (_, index) => index)
  switch (strategy) {
    case "one-for-one":
      return [failed]
    case "one-for-all":
      return all
    case "rest-for-one":
      return all.slice(failed)
  }
}
