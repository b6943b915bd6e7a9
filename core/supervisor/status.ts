/** The status snapshot: one entry per child of the tree, nested supervisors followed by their children. */
import type { ChildExit } from "./events.ts"

/**
 * Where a child is in its life.
 *
 * @example
 * ```ts
 * import type { ChildState, ChildStatus } from "kakoi"
 *
 * const up = (status: ReadonlyArray<ChildStatus>): boolean => status.every(({ state }) => state === "running")
 * const waiting: ChildState = "restarting"
 * ```
 */
export type ChildState = "starting" | "running" | "restarting" | "stopping" | "exited" | "stopped"

/**
 * One child in the snapshot (`status()` of a running tree).
 *
 * @example
 * ```ts
 * import { supervise } from "kakoi"
 *
 * await using tree = await supervise({ name: "app", children: [{ name: "sleeper", argv: ["sleep", "60"] }] })
 * for (const { child, state, pid, restarts } of await tree.status()) console.log(child, state, pid, restarts) // app/sleeper running 4242 0
 * ```
 */
export interface ChildStatus {
  /** The path from the root, e.g. "app/pool/worker-1". */
  readonly child: string
  readonly state: ChildState
  /** undefined when not running, and for nested supervisors. */
  readonly pid: number | undefined
  /** How long the current run has lasted; 0 when not running. */
  readonly uptimeMs: number
  readonly restarts: number
  readonly lastExit: ChildExit | undefined
}
