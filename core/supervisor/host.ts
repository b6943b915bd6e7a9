/**
 * What a supervisor needs from a runtime beyond `run`/`spawn`'s Host (which
 * already gives the child's output as bytes and signals process groups): the
 * signals the supervising process receives. And the values every supervisor
 * of one tree shares.
 */
import type { Effect } from "effect"
import type { Host } from "../api.ts"
import type { SignalName } from "../signals.ts"
import type { SupervisorEvent } from "./events.ts"
import type { Hub } from "./hub.ts"
import type { OutputChunk, OutputLine } from "./lines.ts"

/**
 * A Host that can also feed a supervisor.
 *
 * @example
 * ```ts
 * import type { Host } from "../api.ts"
 * import type { SupervisorHost } from "./host.ts"
 *
 * // A host that never receives signals, for a unit test.
 * declare const host: Host<{}>
 * const supervising: SupervisorHost<{}> = { ...host, onSignal: () => () => {} }
 * ```
 */
export interface SupervisorHost<Io, X = never> extends Host<Io, X> {
  /** Call `listener` whenever the supervising process receives `signal`; returns the unsubscribe. */
  readonly onSignal: (signal: SignalName, listener: () => void) => () => void
}

/**
 * The tree's running children, as the way to signal each one's whole tree
 * (its process group, or under containment its init, which forwards):
 * what `hostSignals: "forward"` passes a signal on to.
 *
 * @example
 * ```ts
 * import type { RunningChildren } from "./host.ts"
 *
 * const running: RunningChildren = new Set()
 * for (const send of running) send("SIGTERM")
 * ```
 */
export type RunningChildren = Set<(signal: SignalName) => boolean>

/**
 * Omit over each member of a union.
 *
 * @example
 * ```ts
 * import type { DistributiveOmit } from "./host.ts"
 *
 * type Shapes = { kind: "a"; at: number; x: 1 } | { kind: "b"; at: number; y: 2 }
 * const b: DistributiveOmit<Shapes, "at"> = { kind: "b", y: 2 }
 * ```
 */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/**
 * An event before the supervisor stamps its time on it.
 *
 * @example
 * ```ts
 * import type { EventData } from "./host.ts"
 *
 * const ready: EventData = { type: "ready", child: "app/web" }
 * ```
 */
export type EventData = DistributiveOmit<SupervisorEvent, "at">

/**
 * Shared by every supervisor in one tree: the host and where events and output go.
 *
 * @example
 * ```ts
 * import type { Tree } from "./host.ts"
 *
 * declare const tree: Tree<{}, never>
 * const announce = tree.emit({ type: "ready", child: "app/web" })
 * ```
 */
export interface Tree<Io, X> {
  readonly host: SupervisorHost<Io, X>
  readonly emit: (event: EventData) => Effect.Effect<void>
  /** `emit` from a synchronous callback (a plugin's observer), on a fiber of the tree's scope: interrupted when the tree stops. */
  readonly emitFromCallback: (event: EventData) => void
  readonly lines: Hub<OutputLine>
  readonly output: Hub<OutputChunk>
  readonly running: RunningChildren
}
