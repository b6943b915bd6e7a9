/**
 * What a supervisor needs from a runtime beyond `run`/`spawn`'s Host (which
 * already gives the child's output as bytes and signals process groups): a
 * line channel into a child's stdin (for the watchdog), and the signals the
 * supervising process receives. And the values every supervisor of one tree shares.
 */
import type { Effect } from "effect"
import type { Host } from "../api.ts"
import type { SignalName } from "../signals.ts"
import type { SupervisorEvent } from "./events.ts"
import type { Hub } from "./hub.ts"
import type { OutputChunk, OutputLine } from "./lines.ts"

/** A Host that can also feed a supervisor. */
export interface SupervisorHost<Io, X = never> extends Host<Io, X> {
  /** The child's stdin as a text channel; undefined when it is not a pipe. Writes after the child is gone are dropped. */
  readonly inputLines: (io: Io) => InputLines | undefined
  /** Call `listener` whenever the supervising process receives `signal`; returns the unsubscribe. */
  readonly onSignal: (signal: SignalName, listener: () => void) => () => void
}

/** Text written into a child's stdin, then closed. */
export interface InputLines {
  readonly write: (text: string) => void
  readonly close: () => void
}

/** The process groups a tree's watchdog kills if the supervising process dies. */
export interface GroupGuard {
  /** A group now runs: kill it if the supervisor dies. */
  readonly register: (pgid: number) => void
  /** The group is gone: forget it (its id may be reused by an unrelated group). */
  readonly release: (pgid: number) => void
}

/** Omit over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** An event before the supervisor stamps its time on it. */
export type EventData = DistributiveOmit<SupervisorEvent, "at">

/** Shared by every supervisor in one tree: the host and where events and output go. */
export interface Tree<Io, X> {
  readonly host: SupervisorHost<Io, X>
  readonly emit: (event: EventData) => Effect.Effect<void>
  /** `emit` from a synchronous callback (a plugin's observer), on a fiber of the tree's scope: interrupted when the tree stops. */
  readonly emitFromCallback: (event: EventData) => void
  readonly lines: Hub<OutputLine>
  readonly output: Hub<OutputChunk>
  readonly guard: GroupGuard
}
