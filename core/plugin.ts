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
import type { ChildSpecView } from "./spec.ts"
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
  /** The child's pidfd (CLONE_PIDFD), valid while the child prepares (the launcher closes it some time after the reap). */
  readonly pidfd: number
  /** The fd number the child's notify listener gets (the child program makes it so). */
  readonly listenerFd: number
  /** How to tell the child's own handshake `read` from the target's: its count and the interpreter's code range. */
  readonly handshake: { readonly readSize: number; readonly code: { readonly start: bigint; readonly end: bigint } }
  /** Calls `listener` once the child has said it is installing a listener (at once if it has); returns an unsubscribe. */
  readonly whenInstallingListener: (listener: () => void) => () => void
  /** Write bytes to the child on its control channel (the go-ahead byte); false when it is closed. */
  readonly send: (bytes: Uint8Array) => boolean
  /**
   * SIGKILL to the child and every process in the group it leads, through its
   * pidfd (never a number that may have been reused); what is already gone,
   * or released by its owner and reaped, is not reached.
   */
  readonly stop: () => void
}

/**
 * A plugin: hooks for the phases of each child's life. Its hooks see the
 * spec without the plugin list (`ChildSpecView`), so a plugin's type says only
 * what it can fail with (`E`) and which services it needs (`R`); both are
 * covariant (`out`), so plugins with different errors compose in one array
 * (`[seccomp(p), rlimit(l)]` is a `ReadonlyArray<Plugin<PolicyError | NotifyError | RlimitError, SeccompLibrary>>`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Plugin } from "./plugin.ts"
 *
 * const umask: Plugin = { name: "umask", preExec: () => Effect.succeed([{ kind: "umask", mask: 0o077 }]) }
 * ```
 */
export interface Plugin<out E = never, out R = never> {
  readonly name: string
  /** The plugin sets the child's containment level (`containment()`, `sandbox()`): the default level is then not added. */
  readonly decidesContainment?: boolean
  /** May adjust the spec (returning it with changed fields) or reject it. */
  readonly spawn?: <S extends ChildSpecView>(spec: S) => Effect.Effect<S, E, R>
  readonly preExec?: (spec: ChildSpecView) => Effect.Effect<ReadonlyArray<PreExecStep>, E, R>
  /**
   * Runs while the child runs its program; exec waits for what the hook
   * arranges with it. A failure kills the child and fails the spawn.
   */
  readonly launched?: (child: LaunchingChild, spec: ChildSpecView) => Effect.Effect<void, E, R>
  readonly exec?: (child: { readonly pid: number; readonly spec: ChildSpecView }) => Effect.Effect<void, never, R>
  readonly exit?: (exit: ExitResult, spec: ChildSpecView) => Effect.Effect<ExitResult, never, R>
  /**
   * The child failed before its target ran (`failure` is the child program's
   * report, or a clone refused for its namespaces). Failing with the plugin's
   * own error replaces the generic SpawnError: the first plugin that does wins.
   */
  readonly failed?: (failure: LaunchFailure, spec: ChildSpecView) => Effect.Effect<void, E, R>
}

/**
 * The errors a union of plugin types can fail with: what an Effect API infers
 * from `plugins: [seccomp(p), rlimit(l)]`.
 *
 * @example
 * ```ts
 * import type { Plugin, PluginError } from "./plugin.ts"
 *
 * type E = PluginError<Plugin<"a"> | Plugin<"b">> // "a" | "b"
 * ```
 */
export type PluginError<P> = P extends Plugin<infer E, unknown> ? E : never

/**
 * The services a union of plugin types needs: what an Effect API requires on
 * top of its adapter's services (a seccomp plugin whose handlers need the
 * caller's services needs them).
 *
 * @example
 * ```ts
 * import type { Plugin, PluginServices } from "./plugin.ts"
 *
 * type R = PluginServices<Plugin<never, "a"> | Plugin<never, "b">> // "a" | "b"
 * ```
 */
export type PluginServices<P> = P extends Plugin<unknown, infer R> ? R : never
