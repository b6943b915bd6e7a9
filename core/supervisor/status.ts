/** The status snapshot: one entry per child of the tree, nested supervisors followed by their children. */
import type { ChildExit } from "./events.ts"

/** Where a child is in its life. */
export type ChildState = "starting" | "running" | "restarting" | "stopping" | "exited" | "stopped"

/** One child in the snapshot. */
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
