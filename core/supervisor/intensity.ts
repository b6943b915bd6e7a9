/** The restart intensity: how many restarts a supervisor allows within a time window before it gives up. */
import type { Intensity } from "./spec.ts"

/**
 * Counts restarts in a sliding window; `record` says whether one more restart is still within the limit.
 *
 * @example
 * ```ts
 * import { restartWindow, type RestartWindow } from "./intensity.ts"
 *
 * const window: RestartWindow = restartWindow({ maxRestarts: 3, withinMs: 5000 })
 * window.record(0)
 * window.count(100) // 1
 * ```
 */
export interface RestartWindow {
  readonly record: (now: number) => boolean
  /** Restarts in the window at `now`. */
  readonly count: (now: number) => number
}

/**
 * A sliding window of restart times, as OTP's MaxR/MaxT: giving up happens on
 * the restart that would make more than `maxRestarts` within `withinMs`.
 *
 * @example
 * ```ts
 * import { restartWindow } from "./intensity.ts"
 *
 * const window = restartWindow({ maxRestarts: 1, withinMs: 1000 })
 * window.record(0)    // true
 * window.record(500)  // false: a second restart within 1 s
 * window.record(2000) // true: the first has left the window
 * ```
 */
export const restartWindow = (intensity: Intensity): RestartWindow => {
  let times: Array<number> = []
  const prune = (now: number) => (times = times.filter((time) => now - time < intensity.withinMs))
  return {
    record: (now) => {
      prune(now)
      times.push(now)
      return times.length <= intensity.maxRestarts
    },
    count: (now) => prune(now).length
  }
}
