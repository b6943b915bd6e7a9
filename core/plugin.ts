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
import type { ChildSpecView } from "./spec.ts"
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
  /** May adjust the spec (returning it with changed fields) or reject it. */
  readonly spawn?: <S extends ChildSpecView>(spec: S) => Effect.Effect<S, E, R>
  readonly preExec?: (spec: ChildSpecView) => Effect.Effect<ReadonlyArray<PreExecStep>, E, R>
  /**
   * Runs while the launcher prepares the child; exec waits for what the hook
   * arranges with the launcher. A failure kills the launcher and fails the spawn.
   */
  readonly launched?: (child: LaunchingChild, spec: ChildSpecView) => Effect.Effect<void, E, R>
  readonly exec?: (child: { readonly pid: number; readonly spec: ChildSpecView }) => Effect.Effect<void, never, R>
  readonly exit?: (exit: ExitResult, spec: ChildSpecView) => Effect.Effect<ExitResult, never, R>
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
