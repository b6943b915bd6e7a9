/**
 * `run` and `spawn` as Effects over a Host: start the child (in its own
 * process group unless told otherwise), feed its stdin, collect its output
 * with the caps asked for, stop it on a timeout, a cancel, a full buffer or a
 * kill, and describe how it ended. core/api.ts wraps these for each adapter.
 */
import { Deferred, Effect, Result } from "effect"
import type { Host } from "../api.ts"
import { withContainment } from "../containment.ts"
import { SpawnError } from "../errors.ts"
import { start, type Running } from "../lifecycle.ts"
import { isSignalName, type SignalName } from "../signals.ts"
import type { Plugin } from "../plugin.ts"
import { commandText, makeSpec, type ChildOptions, type ChildSpec, type ChildSpecView, type StdioOption } from "../spec.ts"
import { childOptionsChecked } from "../spec-schema.ts"
import { flatMapNow, mapNow } from "../settled.ts"
import { processGroup } from "../supervisor/process-group.ts"
import { settingsChecked, type Encoding, type OutputOptions, type Settings, type TerminationOptions } from "./options.ts"
import { collectOutput } from "./output.ts"
import { runResult, spawnResult, type RunResult, type SpawnResult } from "./result.ts"
import { superviseEnd, type StopReason } from "./termination.ts"

/**
 * How a stop reaches everything the child started: its process group when it
 * leads one (kill(-pid)), else the child alone. This is the seam for
 * containment: a child in its own pid namespace will be stopped through it.
 *
 * @example
 * ```ts
 * import { signalTree } from "./child.ts"
 *
 * declare const host: import("../api.ts").Host<unknown>
 * declare const running: import("../lifecycle.ts").Running<unknown>
 * signalTree(host, running, true)("SIGTERM") // kill(-running.pid, SIGTERM)
 * ```
 */
export const signalTree = <Io>(host: Pick<Host<Io>, "signalGroup">, running: Pick<Running<Io>, "pid" | "kill">, grouped: boolean) =>
  // A child with no group of its own to signal (one under an init: the init forwards, and its end ends the namespace) gets the signal itself.
  (signal: SignalName): boolean => grouped ? host.signalGroup(running.pid, signal) || running.kill(signal) : running.kill(signal)

/** How long output may still come after the child's tree was SIGKILLed before `run` stops reading it. */
const drainMs = 1000

/** The options `startChild` reads. */
type StartOptions<E, R> = ChildOptions<E, R> & TerminationOptions & OutputOptions

/** The keys of `spawn`'s options beyond a child's, and of `run`'s: known to the strict decoding of the options, checked by `settingsChecked`. */
const spawnKeys: ReadonlyArray<keyof TerminationOptions> = ["timeout", "cancelSignal", "killSignal", "forceKillAfterDelay", "processGroup"]
const runKeys: ReadonlyArray<keyof (TerminationOptions & OutputOptions & { readonly input?: unknown })> = [...spawnKeys, "encoding", "lines", "all", "maxBuffer", "input"]

/**
 * The host's preflight once more, as the last plugin: another plugin's spawn hook may have changed the command,
 * its PATH or its cwd after the first check (Deno: a plugin must not start what `--allow-run` does not cover).
 * Nothing to ask again when none of them changed.
 */
const preflightAgain = <X>(preflight: NonNullable<Host<unknown, X>["preflight"]>, checked: ChildSpecView): Plugin<X | SpawnError, never> => ({
  name: "preflight",
  spawn: (spec) =>
    spec.argv[0] === checked.argv[0] && spec.cwd === checked.cwd && spec.env.PATH === checked.env.PATH
      ? Effect.succeed(spec)
      : Effect.map(preflight(spec.argv, spec.cwd === undefined ? { env: spec.env } : { env: spec.env, cwd: spec.cwd }), (argv) => ({ ...spec, argv: argv as ChildSpecView["argv"] }))
})

/**
 * A child's spec as a host starts it: the host's preflight first (the command it checked is the one started),
 * then the process-group plugin when `grouped`, the options' plugins, the containment plugin unless one of
 * them decides the level, and the preflight again for what their spawn hooks changed. run(), spawn() and a
 * tree's workers all start from this.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { hostSpec } from "./child.ts"
 *
 * declare const host: import("../api.ts").Host<unknown>
 * const spec = await Effect.runPromise(hostSpec(host, ["true"], {}, true, ["ignore", "pipe", "pipe"]))
 * ```
 */
export const hostSpec = <Io, X, E, R>(
  host: Host<Io, X>,
  argv: ReadonlyArray<string>,
  options: ChildOptions<E, R>,
  grouped: boolean,
  stdio: readonly [StdioOption, StdioOption, StdioOption]
): Effect.Effect<ChildSpec<E | X | SpawnError, R>, SpawnError | X> => {
  const own: ReadonlyArray<Plugin<E, R>> = grouped ? [processGroup, ...(options.plugins ?? [])] : (options.plugins ?? [])
  const specFor = (checked: ReadonlyArray<string>) =>
    mapNow(withContainment(host.containment, checked, options, own), (plugins) => makeSpec(checked, { ...options, plugins }, { env: host.environment, stdio }))
  const { preflight } = host
  if (preflight === undefined) return specFor(argv)
  return Effect.flatMap(preflight(argv, options), (checked) =>
    Effect.map(specFor(checked), (spec): ChildSpec<E | X | SpawnError, R> => ({ ...spec, plugins: [...spec.plugins, preflightAgain(preflight, spec)] })))
}

/** The argv, options and settings as checked, or the SpawnError: plain calls, the spawn path's first (no Effect of their own). */
const checkedStart = <O extends StartOptions<unknown, unknown>>(
  argvGiven: ReadonlyArray<string>,
  optionsGiven: O,
  ownKeys: ReadonlyArray<string>
): Result.Result<{ readonly argv: ReadonlyArray<string>; readonly options: O; readonly settings: Settings }, SpawnError> =>
  Result.flatMap(childOptionsChecked(argvGiven, optionsGiven, ownKeys), ({ argv, options }) =>
    Result.map(settingsChecked(options), (settings) => ({ argv, options, settings })))

/** Run the host's preflight and start the child with the stdio given unless the options say otherwise. */
const startChild = <Io, X, E, R>(
  host: Host<Io, X>,
  argv: ReadonlyArray<string>,
  options: StartOptions<E, R>,
  settings: Settings,
  stdio: readonly [StdioOption, StdioOption, StdioOption]
): Effect.Effect<Running<Io, E | X | SpawnError, R>, E | SpawnError | X, R> =>
  // The spec (and with it the environment, which Deno reads only with a permission) is made after the preflight.
  flatMapNow(hostSpec(host, argv, options, settings.processGroup, stdio), (spec) => start(host.runtime, spec))

/**
 * Run a child to its end and collect its output; fails only when it cannot
 * start. Interrupting the Effect SIGKILLs the child's tree.
 *
 * @example
 * ```ts
 * import { runChild } from "./child.ts"
 *
 * declare const host: import("../api.ts").Host<unknown>
 * const result = runChild(host, ["sleep", "5"], { timeout: 300 }) // RunResult with timedOut: true
 * ```
 */
export const runChild = <Io, X, E, R, Enc extends Encoding, Lines extends boolean, All extends boolean>(
  host: Host<Io, X>,
  argvGiven: ReadonlyArray<string>,
  optionsGiven: StartOptions<E, R> & OutputOptions<Enc, Lines, All> & { readonly input?: string | Uint8Array }
): Effect.Effect<RunResult<Enc, Lines, All>, E | SpawnError | X, R> =>
  // A chain, not a generator: every spawn runs it.
  Effect.suspend(() => {
    // Strictly first, before reading any option: a misspelt key (`plugin` for `plugins`) must not start a child without its fence.
    // From here on only what was checked is read (a getter read again could answer without the plugins).
    const checked = checkedStart(argvGiven, optionsGiven, runKeys)
    if (Result.isFailure(checked)) return Effect.fail(checked.failure)
    const { argv, options, settings } = checked.success
    const refused = inputProblem(options.input, options.stdio)
    if (refused !== undefined) return Effect.fail(new SpawnError({ reason: "InvalidSpec", command: "", detail: refused }))
    const stdio: readonly [StdioOption, StdioOption, StdioOption] = [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
    return Effect.flatMap(startChild(host, argv, options, settings, stdio), (running) => runToEnd<Io, X, E, R, Enc, Lines, All>(host, running, options, settings))
  })

/** What is wrong with run()'s `input` for the stdin it would go to: refused, as a stdin that is no pipe would drop it unread. */
const inputProblem = (input: unknown, stdio: ChildOptions<unknown, unknown>["stdio"]): string | undefined => {
  if (input === undefined) return undefined
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return `"input" must be a string or a Uint8Array, got ${typeof input}`
  const stdin = typeof stdio === "string" ? stdio : stdio?.[0]
  return stdin === undefined || stdin === "pipe" ? undefined : `"input" is written to stdin, which stdio makes "${stdin}": leave stdin a pipe`
}

/** A started child of `runChild` to its end: its output collected, stopped on a timeout, a cancel or a full buffer. */
const runToEnd = <Io, X, E, R, Enc extends Encoding, Lines extends boolean, All extends boolean>(
  host: Host<Io, X>,
  running: Running<Io, E | X | SpawnError, R>,
  options: { readonly input?: string | Uint8Array },
  settings: Settings
): Effect.Effect<RunResult<Enc, Lines, All>, never, R> => {
  const tree = signalTree(host, running, settings.processGroup)
  const sources = { stdout: host.outputBytes(running.io, "stdout"), stderr: host.outputBytes(running.io, "stderr") }
  // run() hands out no stdin: a pipe (stdio "pipe") given no input is closed at once, or a child reading it would wait forever.
  host.writeInput(running.io, options.input ?? "")
  const piped = sources.stdout !== undefined || sources.stderr !== undefined
  const { signal, output, overflow } = piped ? pipedOutput(sources, settings, running, tree) : { signal: tree, output: collectOutput(sources, settings, () => Effect.void, Effect.never), overflow: undefined }
  // Finished means exited and every output pipe closed: a descendant still holding one is part of the run.
  // (With no pipe the output is there already: no fiber to wait for it beside the exit.)
  const finished = Effect.zip(running.exit, output, { concurrent: piped })
  const ended = superviseEnd(finished, signal, settings, overflow).pipe(
    Effect.onInterrupt(() => Effect.sync(() => signal("SIGKILL"))),
    // The run is over: nothing signals the child's group any more.
    Effect.ensuring(running.release)
  )
  return Effect.map(ended, (end) => {
    const [exit, collected] = end.value
    return runResult<Enc, Lines, All>(exit, commandText(running.spec.argv), end, settings, collected)
  })
}

/**
 * The piped output of a run: read until the pipes close, with the signal that
 * also arms the end of reading once the tree has been SIGKILLed, and the
 * overflow of `maxBuffer` as a reason to stop the child.
 */
const pipedOutput = <Io, R>(
  sources: Readonly<Record<"stdout" | "stderr", AsyncIterable<Uint8Array> | undefined>>,
  settings: Settings,
  running: Running<Io, unknown, R>,
  tree: (signal: SignalName) => boolean
) => {
  const forceKilled = Deferred.makeUnsafe<void>()
  const signal = (sent: SignalName): boolean => {
    if (sent === "SIGKILL") Deferred.doneUnsafe(forceKilled, Effect.void)
    return tree(sent)
  }
  const overflow = Deferred.makeUnsafe<StopReason>()
  // Once the tree has been SIGKILLed and the child reaped, whatever still holds a pipe escaped the group
  // (setsid, a double fork): after a moment to drain, stop reading, so a timeout bounds the whole run.
  const abandon = Deferred.await(forceKilled).pipe(Effect.andThen(running.exit), Effect.andThen(Effect.sleep(drainMs)))
  const output = collectOutput(sources, settings, () => Effect.asVoid(Deferred.succeed(overflow, "maxBuffer")), abandon)
  return { signal, output, overflow: Deferred.await(overflow) }
}

/**
 * A child started by `spawnChild`: its lifecycle handle, a kill that reaches its tree, and the Effect of its result.
 *
 * @example
 * ```ts
 * import type { SpawnedChild } from "./child.ts"
 *
 * const stopNow = (child: SpawnedChild<unknown, never>) => child.kill("SIGKILL")
 * ```
 */
export interface SpawnedChild<Io, R> {
  readonly running: Running<Io, unknown, R>
  /** Send `signal` (default: the kill signal) to the child's tree; the kill signal also arms the SIGKILL deadline. */
  readonly kill: (signal?: SignalName) => boolean
  /** Waits for the end, stopping the child on a timeout or a cancel. Run it once, right away: the timeout counts from then. */
  readonly result: Effect.Effect<SpawnResult, never, R>
}

/**
 * Start a child with the given stdio default (pipes for `spawn`) and return
 * once its target runs.
 *
 * @example
 * ```ts
 * import { spawnChild } from "./child.ts"
 *
 * declare const host: import("../api.ts").Host<unknown>
 * const child = spawnChild(host, ["sleep", "30"], { cancelSignal: AbortSignal.timeout(100) })
 * ```
 */
export const spawnChild = <Io, X, E, R>(
  host: Host<Io, X>,
  argvGiven: ReadonlyArray<string>,
  optionsGiven: ChildOptions<E, R> & TerminationOptions
): Effect.Effect<SpawnedChild<Io, R>, E | SpawnError | X, R> =>
  Effect.suspend(() => {
    // As in runChild: only what was checked is read from here on.
    const checked = checkedStart(argvGiven, optionsGiven, spawnKeys)
    if (Result.isFailure(checked)) return Effect.fail(checked.failure)
    const { argv, options, settings } = checked.success
    return Effect.map(startChild(host, argv, options, settings, ["pipe", "pipe", "pipe"]), (running) => {
      const signal = signalTree(host, running, settings.processGroup)
      const killed = Deferred.makeUnsafe<StopReason>()
      const kill = (sent: SignalName = settings.killSignal): boolean => {
        // As each runtime's own kill(): a name that is no signal is the caller's mistake, said in its words (the FFI's own complaint named no signal).
        if (typeof sent !== "string" || !isSignalName(sent)) {
          throw new TypeError(`Unknown signal ${JSON.stringify(sent) ?? String(sent)}: kill() takes a signal name such as "SIGTERM"`)
        }
        const delivered = signal(sent)
        if (delivered && sent === settings.killSignal) Deferred.doneUnsafe(killed, Effect.succeed("kill"))
        return delivered
      }
      const command = commandText(running.spec.argv)
      // Once the child has ended its stdin pipe is of no use: closed here, so a caller that never closed it leaks no fd.
      const exit = Effect.tap(running.exit, () => Effect.sync(() => host.endInput(running.io)))
      const result = Effect.map(superviseEnd(exit, signal, settings, Deferred.await(killed)), (ended) =>
        spawnResult(ended.value, command, ended, settings)).pipe(Effect.ensuring(running.release))
      return { running: running as Running<Io, unknown, R>, kill, result }
    })
  })
