/**
 * The API every adapter exports (`runEffect`, `run`, `spawn`), written once
 * over a `Host`: the adapter's Runtime port, how to reach its stdio, and its
 * environment. An adapter's mod.ts only picks its host and its layer.
 */
import { Cause, Effect, Exit, ManagedRuntime, type Layer } from "effect"
import type { ContainmentLevel } from "./containment.ts"
import type { SpawnError } from "./errors.ts"
import type { Plugin, PluginError, PluginServices } from "./plugin.ts"
import { runChild, spawnChild } from "./run/child.ts"
import type { Encoding, OutputOptions, TerminationOptions } from "./run/options.ts"
import type { RunResult, SpawnResult } from "./run/result.ts"
import type { RuntimePort } from "./runtime.ts"
import type { SignalName } from "./signals.ts"
import type { ChildOptions } from "./spec.ts"

export type { RunResult, SpawnResult } from "./run/result.ts"
export type { Encoding, OutputOptions, TerminationOptions } from "./run/options.ts"

/** What `run` and `spawn` need from a runtime besides its Runtime port. */
export interface Host<Io, X = never> {
  readonly runtime: RuntimePort<Io>
  /** The supervisor's environment: a child's env when the caller gives none. */
  readonly environment: () => Readonly<Record<string, string | undefined>>
  /**
   * The child's stdout or stderr as chunks of bytes, read only as fast as the
   * caller pulls (a child whose output nobody reads blocks on the full pipe);
   * undefined when the stream is not a pipe.
   */
  readonly outputBytes: (io: Io, stream: "stdout" | "stderr") => AsyncIterable<Uint8Array> | undefined
  /** kill(-pgid, signal): signal every process in the group; false when the group is gone. */
  readonly signalGroup: (pgid: number, signal: SignalName) => boolean
  /** Write to the child's stdin, then close it. */
  readonly writeInput: (io: Io, input: string | Uint8Array) => void
  /** Close the child's stdin pipe (if any) once the child has ended: nobody can read it any more. */
  readonly endInput: (io: Io) => void
  /** The plugin that contains a child at a level (core/containment.ts): every child gets one unless a plugin of its own decides. */
  readonly containment: (level: ContainmentLevel) => Plugin<X, never>
  /**
   * Checks before anything starts (e.g. Deno's permissions for the command); fails with the runtime's own typed
   * error. Succeeds with the argv to start: the command as it was checked (Deno: the path its permission covers,
   * so the child execs that file and does not search PATH again, where another file could have appeared since).
   */
  readonly preflight?: (argv: ReadonlyArray<string>, options: ChildOptions<unknown, unknown>) => Effect.Effect<ReadonlyArray<string>, X | SpawnError>
}

/**
 * The options of `run`. The output shape parameters default to text without
 * `lines` or `all`; `run` infers them from the options it is given.
 *
 * @example
 * ```ts
 * import type { RunOptions } from "./api.ts"
 *
 * const bytes: RunOptions<never, never, "buffer"> = { encoding: "buffer", timeout: 300, maxBuffer: 1024 }
 * ```
 */
export interface RunOptions<E = never, R = never, Enc extends Encoding = "utf8", Lines extends boolean = false, All extends boolean = false>
  extends ChildOptions<E, R>, TerminationOptions, OutputOptions<Enc, Lines, All> {
  /** Written to the child's stdin, which is then closed. */
  readonly input?: string | Uint8Array
}

/**
 * The options of `spawn`: a child's, plus when and how to stop it.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from "./api.ts"
 *
 * const bounded: SpawnOptions = { timeout: 5000, cancelSignal: AbortSignal.timeout(10_000) }
 * ```
 */
export interface SpawnOptions<E = never, R = never> extends ChildOptions<E, R>, TerminationOptions {}

/**
 * Run options whose plugins are the union `P`, so that an Effect API can
 * infer the errors of `[seccomp(p), rlimit(l)]` (`PluginError<P>`).
 *
 * @example
 * ```ts
 * import type { RunOptionsWith } from "./api.ts"
 * import type { Plugin } from "./plugin.ts"
 *
 * const options: RunOptionsWith<Plugin<"a">, never> = { plugins: [], cwd: "/" }
 * ```
 */
export type RunOptionsWith<P, R, Enc extends Encoding = "utf8", Lines extends boolean = false, All extends boolean = false> =
  & RunOptions<unknown, R, Enc, Lines, All>
  & { readonly plugins?: ReadonlyArray<P> }

/**
 * `runEffect`'s type: the plugins' errors are inferred from the options.
 *
 * @example
 * ```ts
 * import type { RunEffect } from "./api.ts"
 *
 * declare const runEffect: RunEffect<never>
 * const program = runEffect(["true"]) // Effect<RunResult, SpawnError, never>
 * ```
 */
export type RunEffect<R, X = never> = <
  P extends Plugin<unknown, unknown> = never,
  Enc extends Encoding = "utf8",
  Lines extends boolean = false,
  All extends boolean = false
>(
  argv: ReadonlyArray<string>,
  options?: RunOptionsWith<P, R | PluginServices<P>, Enc, Lines, All>
) => Effect.Effect<RunResult<Enc, Lines, All>, PluginError<P> | SpawnError | X, R | PluginServices<P>>

/** A running child started by `spawn`: the runtime's streams plus pid, kill and result. */
export type Child<Io> = Io & {
  readonly pid: number
  /**
   * Send a signal (default: `killSignal`, SIGTERM) to the child and, when it
   * leads its own process group, everything in it; false when they are gone.
   * The kill signal also arms `forceKillAfterDelay`. A name that is no
   * signal throws a TypeError, as each runtime's own `kill` does.
   */
  readonly kill: (signal?: SignalName) => boolean
  /** How the child ended. */
  readonly result: Promise<SpawnResult>
}

/** The functions an adapter exports, for its runtime's streams `Io` and the services `R` its plugins need. */
export interface Api<Io, R, X = never> {
  /**
   * Run a command to completion as an Effect. Fails only when the child cannot
   * start (bad policy, command not found, ...); a non-zero exit is data.
   */
  readonly runEffect: RunEffect<R, X>
  /** Run a command to completion; rejects with the typed error when the child cannot start. */
  readonly run: <Enc extends Encoding = "utf8", Lines extends boolean = false, All extends boolean = false>(
    argv: ReadonlyArray<string>,
    options?: RunOptions<unknown, R, Enc, Lines, All>
  ) => Promise<RunResult<Enc, Lines, All>>
  /** Start a command and return once its target is exec'd. Streams default to pipes. */
  readonly spawn: (argv: ReadonlyArray<string>, options?: SpawnOptions<unknown, R>) => Promise<Child<Io>>
  /** Run any Effect that needs the adapter's services; rejects with the typed error itself. */
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}

/**
 * The adapter API over a host and the layer that provides the plugins' services.
 * The Promise functions reject with the typed error itself, not a wrapper, and
 * run on one runtime built from the layer once.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { makeApi, type Host } from "./api.ts"
 *
 * declare const host: Host<{}>
 * const { run } = makeApi(host, Layer.empty)
 * const { exitCode } = await run(["true"])
 * ```
 */
export const makeApi = <Io, R, LE, X = never>(host: Host<Io, X>, layer: Layer.Layer<R, LE>): Api<Io, R, X> => {
  // Built once, on the first call, for every later one: providing the layer per call re-bound libseccomp each time (~330 µs).
  const runtime = ManagedRuntime.make(layer)
  // Settled from the fiber's end itself: no promise of the Exit in between (one microtask less after the child's end).
  const runPromise = <A, E>(effect: Effect.Effect<A, E, R>): Promise<A> =>
    new Promise((resolve, reject) => {
      runtime.runCallback(effect, { onExit: (exit) => (Exit.isSuccess(exit) ? resolve(exit.value) : reject(Cause.squash(exit.cause))) })
    })

  const runEffect: Api<Io, R, X>["runEffect"] = <P extends Plugin<unknown, unknown> = never, Enc extends Encoding = "utf8", Lines extends boolean = false, All extends boolean = false>(
    argv: ReadonlyArray<string>,
    options: RunOptionsWith<P, R | PluginServices<P>, Enc, Lines, All> = {}
  ) =>
    // The spec erases the plugins' own errors to unknown; each plugin in P fails only with PluginError<P>.
    runChild(host, argv, options) as Effect.Effect<RunResult<Enc, Lines, All>, PluginError<P> | SpawnError | X, R | PluginServices<P>>

  const spawn: Api<Io, R, X>["spawn"] = async (argv, options = {}) => {
    const child = await runPromise(spawnChild(host, argv, options))
    // Started now, so the timeout counts from the moment the target runs.
    const result = runPromise(child.result)
    return { ...child.running.io, pid: child.running.pid, kill: child.kill, result }
  }

  return { runEffect, run: (argv, options) => runPromise(runEffect(argv, options)), spawn, runPromise }
}
