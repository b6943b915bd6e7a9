/** The child in its own process group: what lets a supervisor signal a child together with its descendants. */
import { Effect } from "effect"
import type { Plugin } from "../plugin.ts"

/**
 * setsid in the launcher: the target leads a new session and process group
 * whose id is its pid, so kill(-pid) reaches everything it starts, and a
 * signal to the supervisor's own group (Ctrl-C in a terminal) does not.
 *
 * @example
 * ```ts
 * import { processGroup } from "./process-group.ts"
 *
 * const plugins = [processGroup] // in a child's options: it runs as its own group leader
 * ```
 */
export const processGroup: Plugin<never, never> = { name: "process-group", preExec: () => Effect.succeed([{ kind: "setsid" }]) }
