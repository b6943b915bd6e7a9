/**
 * Readiness: when a started child counts as ready, so the children after it
 * may start. A line on its output, a delay, or a check the caller provides.
 */
import { Effect } from "effect"
import type { Readiness } from "./spec.ts"

/** Resolves the first time a matching line is seen; `check` is fed every line of the watched stream. */
export interface LineWatch {
  readonly stream: "stdout" | "stderr"
  readonly check: (line: string) => void
  readonly seen: Promise<void>
}

/**
 * A watch for a "line" readiness, or undefined for the other kinds.
 *
 * @example
 * ```ts
 * import { lineWatch } from "./readiness.ts"
 *
 * const watch = lineWatch({ kind: "line", pattern: /listening on \d+/ })
 * watch?.check("listening on 8080") // watch.seen resolves
 * ```
 */
export const lineWatch = (readiness: Readiness<unknown> | undefined): LineWatch | undefined => {
  if (readiness?.kind !== "line") return undefined
  const { pattern } = readiness
  let resolve: () => void = () => {}
  const seen = new Promise<void>((done) => (resolve = done))
  return {
    stream: readiness.stream ?? "stdout",
    check: (line) => {
      if (typeof pattern === "string" ? line.includes(pattern) : pattern.test(line)) resolve()
    },
    seen
  }
}

/**
 * Succeeds with true once the child is ready, false when the readiness check
 * failed or timed out. Racing it against the child's exit is the caller's job.
 *
 * @example
 * ```ts
 * import { awaitReadiness } from "./readiness.ts"
 *
 * const ready = awaitReadiness({ kind: "delay", ms: 100 }, undefined, 1234)
 * ```
 */
export const awaitReadiness = <R>(readiness: Readiness<R> | undefined, watch: LineWatch | undefined, pid: number): Effect.Effect<boolean, never, R> => {
  if (readiness === undefined) return Effect.succeed(true)
  const timed = (check: Effect.Effect<boolean, never, R>, timeoutMs: number | undefined): Effect.Effect<boolean, never, R> =>
    timeoutMs === undefined ? check : Effect.map(Effect.timeoutOption(check, timeoutMs), (result) => result._tag === "Some" && result.value)
  switch (readiness.kind) {
    case "delay":
      return Effect.as(Effect.sleep(readiness.ms), true)
    case "line":
      return timed(watch === undefined ? Effect.succeed(false) : Effect.as(Effect.promise(() => watch.seen), true), readiness.timeoutMs)
    case "effect":
      return timed(
        readiness.check(pid).pipe(
          Effect.as(true),
          Effect.catch(() => Effect.succeed(false))
        ),
        readiness.timeoutMs
      )
  }
}
