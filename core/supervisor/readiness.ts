/**
 * Readiness: when a started child counts as ready, so the children after it
 * may start. A line on its output, a delay, or a check the caller provides;
 * when it is not ready in time, the reason in words for the tree's event.
 */
import { Deferred, Effect, Option } from "effect"
import type { Readiness } from "./spec.ts"

/**
 * Completes the first time a matching line is seen; `check` is fed every line of the watched stream.
 *
 * @example
 * ```ts
 * import { lineWatch, type LineWatch } from "./readiness.ts"
 *
 * const watch: LineWatch | undefined = lineWatch({ kind: "line", pattern: "listening" })
 * ```
 */
export interface LineWatch {
  readonly stream: "stdout" | "stderr"
  readonly check: (line: string) => void
  readonly seen: Effect.Effect<void>
}

/**
 * A watch for a "line" readiness, or undefined for the other kinds.
 *
 * @example
 * ```ts
 * import { lineWatch } from "./readiness.ts"
 *
 * const watch = lineWatch({ kind: "line", pattern: /listening on \d+/ })
 * watch?.check("listening on 8080") // watch.seen completes
 * ```
 */
export const lineWatch = (readiness: Readiness<unknown> | undefined): LineWatch | undefined => {
  if (readiness?.kind !== "line") return undefined
  const { pattern } = readiness
  const seen = Deferred.makeUnsafe<void>()
  return {
    stream: readiness.stream ?? "stdout",
    // Called from the output pump, outside any fiber: completing a Deferred needs none.
    check: (line) => {
      if (typeof pattern === "string" ? line.includes(pattern) : pattern.test(line)) Deferred.doneUnsafe(seen, Effect.void)
    },
    seen: Deferred.await(seen)
  }
}

/**
 * Ready, or not, with why in words (e.g. `no line matching "listening" on stdout within 500 ms`).
 *
 * @example
 * ```ts
 * import type { ReadinessOutcome } from "./readiness.ts"
 *
 * const late: ReadinessOutcome = { ready: false, reason: 'no line matching "listening" on stdout within 500 ms' }
 * ```
 */
export type ReadinessOutcome = { readonly ready: true } | { readonly ready: false; readonly reason: string }

const ready: ReadinessOutcome = { ready: true }

const patternText = (pattern: RegExp | string): string => (typeof pattern === "string" ? JSON.stringify(pattern) : String(pattern))

const errorText = (error: unknown): string =>
  typeof error === "object" && error !== null && typeof (error as { readonly message?: unknown }).message === "string"
    ? (error as { readonly message: string }).message
    : String(error)

/** `check`, or not ready with `late` when `timeoutMs` passes first. */
const within = <R>(check: Effect.Effect<ReadinessOutcome, never, R>, timeoutMs: number | undefined, late: string): Effect.Effect<ReadinessOutcome, never, R> =>
  timeoutMs === undefined
    ? check
    : Effect.map(Effect.timeoutOption(check, timeoutMs), (outcome) => Option.getOrElse(outcome, (): ReadinessOutcome => ({ ready: false, reason: `${late} within ${timeoutMs} ms` })))

/**
 * Succeeds once the child is ready, or with the reason it is not: the check
 * failed or did not succeed in time. Racing it against the child's exit is the caller's job.
 *
 * @example
 * ```ts
 * import { awaitReadiness } from "./readiness.ts"
 *
 * const outcome = awaitReadiness({ kind: "delay", ms: 100 }, undefined, 1234) // { ready: true } after 100 ms
 * ```
 */
export const awaitReadiness = <R>(readiness: Readiness<R> | undefined, watch: LineWatch | undefined, pid: number): Effect.Effect<ReadinessOutcome, never, R> => {
  if (readiness === undefined) return Effect.succeed(ready)
  switch (readiness.kind) {
    case "delay":
      return Effect.as(Effect.sleep(readiness.ms), ready)
    case "line": {
      const where = `no line matching ${patternText(readiness.pattern)} on ${readiness.stream ?? "stdout"}`
      return within(watch === undefined ? Effect.succeed({ ready: false, reason: `${where}: the stream is not read` }) : Effect.as(watch.seen, ready), readiness.timeoutMs, where)
    }
    case "effect":
      return within(
        readiness.check(pid).pipe(
          Effect.as(ready),
          Effect.catch((error) => Effect.succeed<ReadinessOutcome>({ ready: false, reason: `the readiness check failed: ${errorText(error)}` }))
        ),
        readiness.timeoutMs,
        "the readiness check did not succeed"
      )
  }
}
