/**
 * `run` and `spawn` as Effects over a Host: start the child (in its own
 * process group unless told otherwise), feed its stdin, collect its output
 * with the caps asked for, stop it on a timeout, a cancel, a full buffer or a
 * kill, and describe how it ended. core/api.ts wraps these for each adapter.
 */
import { Deferred, Effect } from "effect"
import type { Host } from "../api.ts"
import { withContainment } from "../containment.ts"
import type { SpawnError } from "../errors.ts"
import { start, type Running } from "../lifecycle.ts"
import type { SignalName } from "../signals.ts"
import type { Plugin } from "../plugin.ts"
import { commandText, makeSpec, type ChildOptions, type ChildSpec, type ChildSpecView, type StdioOption } from "../spec.ts"
import { checkChildOptions } from "../spec-schema.ts"
import { processGroup } from "../supervisor/process-group.ts"
import { settings as checkSettings, type Encoding, type OutputOptions, type Settings, type TerminationOptions } from "./options.ts"
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

/** The keys of `spawn`'s options beyond a child's, and of `run`'s: known to the strict decoding of the options, checked by `checkSettings`. */
const spawnKeys: ReadonlyArray<keyof TerminationOptions> = ["timeout", "cancelSignal", "killSignal", "forceKillAfterDelay", "processGroup"]
const runKeys: ReadonlyArray<keyof (TerminationOptions & OutputOptions & { readonly input?: unknown })> = [...spawnKeys, "encoding", "lines", "all", "maxBuffer", "input"]

/**
 * The host's preflight once more, as the last plugin: another plugin's spawn hook may have changed the command,
 * its PATH or its cwd after the first check (Deno: a plugin must not start what `--allow-run` does not cover).
 * Nothing to ask again when none of them changed.
 */
const preflightAgain = <X>(preflight: NonNullable<Host<unknown, X>["preflight"]>, checked: ChildSpecView): Plugin<X, never> => ({
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
): Effect.Effect<ChildSpec<E | X, R>, SpawnError | X> => {
  const own: ReadonlyArray<Plugin<E, R>> = grouped ? [processGroup, ...(options.plugins ?? [])] : (options.plugins ?? [])
  const specFor = (checked: ReadonlyArray<string>) =>
    Effect.map(withContainment(host.containment, checked, options, own), (plugins) => makeSpec(checked, { ...options, plugins }, { env: host.environment, stdio }))
  const { preflight } = host
  if (preflight === undefined) return specFor(argv)
  return Effect.flatMap(preflight(argv, options), (checked) =>
    Effect.map(specFor(checked), (spec): ChildSpec<E | X, R> => ({ ...spec, plugins: [...spec.plugins, preflightAgain(preflight, spec)] })))
}

/** Check the options, run the host's preflight, start the child with the stdio given unless the options say otherwise. */
const startChild = <Io, X, E, R>(
  host: Host<Io, X>,
  argv: ReadonlyArray<string>,
  options: StartOptions<E, R>,
  stdio: readonly [StdioOption, StdioOption, StdioOption]
): Effect.Effect<{ readonly running: Running<Io, E | X, R>; readonly settings: Settings }, E | SpawnError | X, R> =>
  // A chain, not a generator: every spawn runs it before its clone. The spec (and with it the environment, which
  // Deno reads only with a permission) is made after the preflight.
  Effect.flatMap(checkSettings(options), (settings) =>
    Effect.flatMap(hostSpec(host, argv, options, settings.processGroup, stdio), (spec) => Effect.map(start(host.runtime, spec), (running) => ({ running, settings }))))

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
  Effect.gen(function* () {
    // Strictly first, before reading any option: a misspelt key (`plugin` for `plugins`) must not start a child without its fence.
    // From here on only what was checked is read (a getter read again could answer without the plugins).
    const { argv, options } = yield* checkChildOptions(argvGiven, optionsGiven, runKeys)
    const stdio: readonly [StdioOption, StdioOption, StdioOption] = [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
    const { running, settings } = yield* startChild(host, argv, options, stdio)
    const tree = signalTree(host, running, settings.processGroup)
    const forceKilled = Deferred.makeUnsafe<void>()
    const signal = (sent: SignalName): boolean => {
      if (sent === "SIGKILL") Deferred.doneUnsafe(forceKilled, Effect.void)
      return tree(sent)
    }
    const overflow = Deferred.makeUnsafe<StopReason>()
    // Once the tree has been SIGKILLed and the child reaped, whatever still holds a pipe escaped the group
    // (setsid, a double fork): after a moment to drain, stop reading, so a timeout bounds the whole run.
    const abandon = Deferred.await(forceKilled).pipe(Effect.andThen(running.exit), Effect.andThen(Effect.sleep(drainMs)))
    const sources = { stdout: host.outputBytes(running.io, "stdout"), stderr: host.outputBytes(running.io, "stderr") }
    const output = collectOutput(
      sources,
      settings,
      () => Effect.asVoid(Deferred.succeed(overflow, "maxBuffer")),
      abandon
    )
    if (options.input !== undefined) host.writeInput(running.io, options.input)
    const piped = sources.stdout !== undefined || sources.stderr !== undefined
    // Finished means exited and every output pipe closed: a descendant still holding one is part of the run.
    // (With no pipe the output is there already: no fiber to wait for it beside the exit.)
    const finished = Effect.zip(running.exit, output, { concurrent: piped })
    // Only a piped stream can overflow.
    const ended = yield* superviseEnd(finished, signal, settings, piped ? Deferred.await(overflow) : undefined).pipe(
      Effect.onInterrupt(() => Effect.sync(() => signal("SIGKILL"))),
      // The run is over: nothing signals the child's group any more.
      Effect.ensuring(running.release)
    )
    const [exit, collected] = ended.value
    return runResult<Enc, Lines, All>(exit, commandText(running.spec.argv), ended, settings, collected)
  })

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
  Effect.gen(function* () {
    // As in runChild: only what was checked is read from here on.
    const { argv, options } = yield* checkChildOptions(argvGiven, optionsGiven, spawnKeys)
    const { running, settings } = yield* startChild(host, argv, options, ["pipe", "pipe", "pipe"])
    const signal = signalTree(host, running, settings.processGroup)
    const killed = Deferred.makeUnsafe<StopReason>()
    const kill = (sent: SignalName = settings.killSignal): boolean => {
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
