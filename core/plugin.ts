/**
 * The plugin contract. A plugin hooks the lifecycle phases of each child:
 * - spawn (parent, before any process exists): adjust the spec, validate, compile;
 * - preExec (parent): contribute steps, as data, for the launcher to run in the child;
 * - launched (parent, concurrently with the launcher's preExec): talk to the
 *   launcher over its control channel before it execs (the notify handshake);
 * - exec (parent): the target is running under its final pid;
 * - exit (parent): read or enrich the exit data (e.g. explain a SIGSYS).
 * Failing spawn or preExec means nothing is started.
 */
import type { Effect } from "effect"
import type { ExitResult } from "./exit.ts"
import type { ChildSpec } from "./spec.ts"
import type { PreExecStep } from "./steps.ts"

/**
 * A launcher that has its job and has not exec'd yet, as a `launched` hook sees it.
 *
 * @example
 * ```ts
 * import type { LaunchingChild } from "./plugin.ts"
 *
 * const greet = (child: LaunchingChild) => child.send(Uint8Array.of(1))
 * ```
 */
export interface LaunchingChild {
  readonly pid: number
  /** Calls `listener` with everything the launcher wrote so far, now and on every new byte; returns an unsubscribe. */
  readonly watchReport: (listener: (received: Uint8Array) => void) => () => void
  /** Write bytes to the launcher on its control channel; false when it is closed. */
  readonly send: (bytes: Uint8Array) => boolean
}

export interface Plugin<E = never, R = never> {
  readonly name: string
  readonly spawn?: (spec: ChildSpec<E, R>) => Effect.Effect<ChildSpec<E, R>, E, R>
  readonly preExec?: (spec: ChildSpec<E, R>) => Effect.Effect<ReadonlyArray<PreExecStep>, E, R>
  /**
   * Runs while the launcher prepares the child; exec waits for what the hook
   * arranges with the launcher. A failure kills the launcher and fails the spawn.
   */
  readonly launched?: (child: LaunchingChild, spec: ChildSpec<E, R>) => Effect.Effect<void, E, R>
  readonly exec?: (child: { readonly pid: number; readonly spec: ChildSpec<E, R> }) => Effect.Effect<void, never, R>
  readonly exit?: (exit: ExitResult, spec: ChildSpec<E, R>) => Effect.Effect<ExitResult, never, R>
}
