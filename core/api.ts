/**
 * The API every adapter exports (`runEffect`, `run`, `spawn`), written once
 * over a `Host`: the adapter's Runtime port, how to reach its stdio, and its
 * environment. An adapter's mod.ts only picks its host and its layer.
 */
import { Cause, Effect, Exit, ManagedRuntime, type Layer } from "effect"
import type { SpawnError } from "./errors.ts"
import type { ExitResult } from "./exit.ts"
import { start } from "./lifecycle.ts"
import type { RuntimePort } from "./runtime.ts"
import type { SignalName } from "./signals.ts"
import { commandText, makeSpec, type ChildOptions, type StdioOption } from "./spec.ts"

/** What `run` and `spawn` need from a runtime besides its Runtime port. */
export interface Host<Io, X = never> {
  readonly runtime: RuntimePort<Io>
  /** The supervisor's environment: a child's env when the caller gives none. */
  readonly environment: () => Readonly<Record<string, string | undefined>>
  /** Everything a child's output pipe carries until it closes, as UTF-8; "" when the stream is not a pipe. */
  readonly readText: (io: Io, stream: "stdout" | "stderr") => Promise<string>
  /** Write to the child's stdin, then close it. */
  readonly writeInput: (io: Io, input: string | Uint8Array) => void
  /** Checks before anything starts (e.g. Deno's permissions for the command); fails with the runtime's own typed error. */
  readonly preflight?: (argv: ReadonlyArray<string>, options: ChildOptions<any, any>) => Effect.Effect<void, X>
}

export interface RunOptions<E = never, R = never> extends ChildOptions<E, R> {
  /** Written to the child's stdin, which is then closed. */
  readonly input?: string | Uint8Array
}

/** How a child ended, with the command that ran. */
export interface SpawnResult extends ExitResult {
  readonly command: string
}

/** How a child ended and what it printed. */
export interface RunResult extends SpawnResult {
  readonly stdout: string
  readonly stderr: string
}

/** A running child started by `spawn`: the runtime's streams plus pid, kill and result. */
export type Child<Io> = Io & {
  readonly pid: number
  /** Send a signal (default SIGTERM); false when the child is already gone. */
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
  readonly runEffect: <E>(argv: ReadonlyArray<string>, options?: RunOptions<E, R>) => Effect.Effect<RunResult, E | SpawnError | X, R>
  /** Run a command to completion; rejects with the typed error when the child cannot start. */
  readonly run: <E>(argv: ReadonlyArray<string>, options?: RunOptions<E, R>) => Promise<RunResult>
  /** Start a command and return once its target is exec'd. Streams default to pipes. */
  readonly spawn: <E>(argv: ReadonlyArray<string>, options?: ChildOptions<E, R>) => Promise<Child<Io>>
  /** Run any Effect that needs the adapter's services; rejects with the typed error itself. */
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}

const pipes: readonly [StdioOption, StdioOption, StdioOption] = ["pipe", "pipe", "pipe"]

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
  const preflight = (argv: ReadonlyArray<string>, options: ChildOptions<any, any>): Effect.Effect<void, X> =>
    host.preflight?.(argv, options) ?? Effect.void

  // Built once, on the first call, for every later one: providing the layer per call re-bound libseccomp each time (~330 µs).
  const runtime = ManagedRuntime.make(layer)
  const runPromise = async <A, E>(effect: Effect.Effect<A, E, R>): Promise<A> => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }

  const runEffect: Api<Io, R, X>["runEffect"] = (argv, options = {}) =>
    Effect.gen(function* () {
      yield* preflight(argv, options)
      const stdio: readonly [StdioOption, StdioOption, StdioOption] = [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
      const child = yield* start(host.runtime, makeSpec(argv, options, { env: host.environment, stdio }))
      const stdout = host.readText(child.io, "stdout")
      const stderr = host.readText(child.io, "stderr")
      if (options.input !== undefined) host.writeInput(child.io, options.input)
      const exit = yield* child.exit.pipe(Effect.onInterrupt(() => Effect.sync(() => child.kill("SIGKILL"))))
      return {
        ...exit,
        command: commandText(child.spec.argv),
        stdout: yield* Effect.promise(() => stdout),
        stderr: yield* Effect.promise(() => stderr)
      }
    })

  const spawn: Api<Io, R, X>["spawn"] = async (argv, options = {}) => {
    const child = await runPromise(
      Effect.andThen(preflight(argv, options), start(host.runtime, makeSpec(argv, options, { env: host.environment, stdio: pipes })))
    )
    const command = commandText(child.spec.argv)
    return {
      ...child.io,
      pid: child.pid,
      kill: (signal = "SIGTERM") => child.kill(signal),
      result: runPromise(child.exit).then((exit) => ({ ...exit, command }))
    }
  }

  return { runEffect, run: (argv, options) => runPromise(runEffect(argv, options)), spawn, runPromise }
}
