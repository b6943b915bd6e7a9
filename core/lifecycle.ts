/**
 * The lifecycle of one child: spawn → preExec → exec → running → exit, each a
 * typed Effect. Plugins hook every phase; a failure in spawn or preExec means
 * no process is ever created.
 */
import { Clock, Effect, Exit, Fiber } from "effect"
import { SpawnError, spawnErrorFromFailure } from "./errors.ts"
import type { ExitResult } from "./exit.ts"
import { encodeJob } from "./job.ts"
import type { LaunchingChild } from "./plugin.ts"
import type { LauncherProcess, RuntimePort } from "./runtime.ts"
import { signalNumber, type SignalName } from "./signals.ts"
import { commandText, type ChildSpec } from "./spec.ts"
import type { PreExecStep } from "./steps.ts"

/** A child whose target has been exec'd. */
export interface Running<Io, E = never, R = never> {
  readonly pid: number
  readonly io: Io
  readonly spec: ChildSpec<E, R>
  /** The exit, as data, after every plugin's exit hook; computed once. */
  readonly exit: Effect.Effect<ExitResult, never, R>
  readonly kill: (signal: SignalName) => boolean
}

/** Phase 1 (parent): each plugin may adjust or reject the spec. */
const spawnPhase = <E, R>(spec: ChildSpec<E, R>): Effect.Effect<ChildSpec<E, R>, E | SpawnError, R> =>
  Effect.gen(function* () {
    if (spec.argv.length === 0 || spec.argv[0] === "") {
      return yield* new SpawnError({ reason: "InvalidSpec", command: "", detail: "the command (argv[0]) is empty" })
    }
    let adjusted = spec
    for (const plugin of spec.plugins) if (plugin.spawn) adjusted = yield* plugin.spawn(adjusted)
    return adjusted
  })

/** Phase 2 (parent): the steps the launcher will run in the child, as data. */
const preExecPhase = <E, R>(spec: ChildSpec<E, R>): Effect.Effect<ReadonlyArray<PreExecStep>, E, R> =>
  Effect.gen(function* () {
    const steps: Array<PreExecStep> = spec.cwd === undefined ? [] : [{ kind: "chdir", path: spec.cwd }]
    for (const plugin of spec.plugins) if (plugin.preExec) steps.push(...(yield* plugin.preExec(spec)))
    return steps
  })

const exitPhase = <Io, E, R>(
  process: LauncherProcess<Io>,
  spec: ChildSpec<E, R>,
  startedAt: number
): Effect.Effect<ExitResult, never, R> =>
  Effect.gen(function* () {
    const status = yield* process.exited
    let result: ExitResult = { pid: process.pid, ...status, durationMs: (yield* Clock.currentTimeMillis) - startedAt, diagnosis: undefined }
    for (const plugin of spec.plugins) if (plugin.exit) result = yield* plugin.exit(result, spec)
    return result
  })

/** The launcher as `launched` hooks see it, and the callback that feeds them its report. */
const launchingChild = <Io>(launcher: LauncherProcess<Io>): { readonly child: LaunchingChild; readonly onReport: (received: Uint8Array) => void } => {
  let received: Uint8Array = new Uint8Array(0)
  const listeners = new Set<(received: Uint8Array) => void>()
  const child: LaunchingChild = {
    pid: launcher.pid,
    send: launcher.send,
    watchReport: (listener) => {
      listeners.add(listener)
      listener(received)
      return () => listeners.delete(listener)
    }
  }
  const onReport = (bytes: Uint8Array): void => {
    received = bytes
    for (const listener of listeners) listener(bytes)
  }
  return { child, onReport }
}

/**
 * Start a child: run the spawn and preExec hooks, start a launcher through the
 * runtime, hand it the job, and succeed once the target has been exec'd.
 */
export const start = <Io, E, R>(
  runtime: RuntimePort<Io>,
  spec: ChildSpec<E, R>
): Effect.Effect<Running<Io, E, R>, E | SpawnError, R> =>
  Effect.gen(function* () {
    const ready = yield* spawnPhase(spec)
    const steps = yield* preExecPhase(ready)
    const command = commandText(ready.argv)
    const job = encodeJob({
      argv: ready.argv,
      env: Object.entries(ready.env).map(([name, value]) => `${name}=${value}`),
      steps,
      parentDeathSignal: ready.parentDeathSignal === undefined ? 0 : signalNumber(ready.parentDeathSignal),
      parentPid: runtime.pid
    })
    const startedAt = yield* Clock.currentTimeMillis
    const launcher = yield* runtime.launch(ready.stdio, command)
    const killLauncher = Effect.sync(() => launcher.kill("SIGKILL"))
    const { child, onReport } = launchingChild(launcher)
    // A hook that fails leaves the launcher waiting for it: kill it so start() ends.
    const hooks = yield* Effect.forkChild(
      Effect.all(ready.plugins.flatMap((plugin) => (plugin.launched ? [plugin.launched(child, ready)] : [])), { concurrency: "unbounded", discard: true })
        .pipe(Effect.onError(() => killLauncher))
    )
    const started = yield* Effect.exit(launcher.start(job, onReport))
    const failure = Exit.isSuccess(started) ? started.value : undefined
    // Once the target runs, every hook has done its part; if the launcher failed, a hook that failed first explains why.
    const hooked = Exit.isSuccess(started) && failure === undefined ? yield* Fiber.await(hooks) : hooks.pollUnsafe()
    if (Exit.isFailure(started) || failure !== undefined || (hooked !== undefined && Exit.isFailure(hooked))) {
      yield* Fiber.interrupt(hooks)
      yield* killLauncher
      // Reap the launcher so a failed start leaves no zombie behind.
      yield* launcher.exited
      if (hooked !== undefined && Exit.isFailure(hooked)) return yield* Effect.failCause(hooked.cause)
      if (Exit.isFailure(started)) return yield* Effect.failCause(started.cause)
      return yield* spawnErrorFromFailure(failure ?? { stage: "launcher", errno: 0, subject: "no report" }, command)
    }
    for (const plugin of ready.plugins) if (plugin.exec) yield* plugin.exec({ pid: launcher.pid, spec: ready })
    const exit = yield* Effect.cached(exitPhase(launcher, ready, startedAt))
    return { pid: launcher.pid, io: launcher.io, spec: ready, exit, kill: launcher.kill }
  })
