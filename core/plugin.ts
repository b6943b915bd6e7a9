/**
 * The plugin contract. A plugin hooks the lifecycle phases of each child:
 * - spawn (parent, before any process exists): adjust the spec, validate, compile;
 * - preExec (parent): contribute steps, as data, for the child program to run before execve;
 * - launched (parent, while the child runs its program): talk to the child
 *   over its control channel before it execs (the notify handshake);
 * - exec (parent): the target is running under its final pid;
 * - exit (parent): read or enrich the exit data (e.g. explain a SIGSYS);
 * - failed (parent): the child never ran its target; a plugin may explain why
 *   with its own error (a fence the host refused) and releases what it holds.
 * Failing spawn or preExec means nothing is started.
 */
import type { Effect } from "effect"
import type { ExitResult } from "./exit.ts"
import type { LaunchFailure } from "./program/mod.ts"
import type { ChildSpec } from "./spec.ts"
import type { PreExecStep } from "./steps.ts"

/**
 * A child between clone and execve, as a `launched` hook sees it: the notify
 * handshake fetches its listener through the pidfd and then lets it go on.
 *
 * @example
 * ```ts
 * import type { LaunchingChild } from "./plugin.ts"
 *
 * const goAhead = (child: LaunchingChild) => child.whenInstallingListener(() => child.send(Uint8Array.of(1)))
 * ```
 */
export interface LaunchingChild {
  readonly pid: number
  /** Whether a notification's pid is the child program's (the child, or an init's target before its exec). */
  readonly isProgram: (pid: number) => boolean
  /** The child's pidfd (CLONE_PIDFD), valid until the child has been reaped. */
  readonly pidfd: number
  /** The fd number the child's notify listener gets (the child program makes it so). */
  readonly listenerFd: number
  /** How to tell the child's own handshake `read` from the target's: its count and the interpreter's code range. */
  readonly handshake: { readonly readSize: number; readonly code: { readonly start: bigint; readonly end: bigint } }
  /** Calls `listener` once the child has said it is installing a listener (at once if it has); returns an unsubscribe. */
  readonly whenInstallingListener: (listener: () => void) => () => void
  /** Write bytes to the child on its control channel (the go-ahead byte); false when it is closed. */
  readonly send: (bytes: Uint8Array) => boolean
}

export interface Plugin<E = never, R = never> {
  readonly name: string
  readonly spawn?: (spec: ChildSpec<E, R>) => Effect.Effect<ChildSpec<E, R>, E, R>
  readonly preExec?: (spec: ChildSpec<E, R>) => Effect.Effect<ReadonlyArray<PreExecStep>, E, R>
  /**
   * Runs while the child runs its program; exec waits for what the hook
   * arranges with it. A failure kills the child and fails the spawn.
   */
  readonly launched?: (child: LaunchingChild, spec: ChildSpec<E, R>) => Effect.Effect<void, E, R>
  readonly exec?: (child: { readonly pid: number; readonly spec: ChildSpec<E, R> }) => Effect.Effect<void, never, R>
  readonly exit?: (exit: ExitResult, spec: ChildSpec<E, R>) => Effect.Effect<ExitResult, never, R>
  /**
   * The child failed before its target ran (`failure` is the child program's
   * report, or a clone refused for its namespaces). Failing with the plugin's
   * own error replaces the generic SpawnError: the first plugin that does wins.
   */
  readonly failed?: (failure: LaunchFailure, spec: ChildSpec<E, R>) => Effect.Effect<void, E, R>
}
