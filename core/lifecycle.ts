/**
 * The lifecycle of one child: spawn → preExec → exec → running → exit, each a
 * typed Effect. Plugins hook every phase; a failure in spawn or preExec means
 * no process is ever created.
 */
import { Clock, Deferred, Effect, Exit, Fiber } from "effect"
import { environmentStrings } from "./environment.ts"
import { SpawnError, spawnErrorFromFailure } from "./errors.ts"
import type { ExitResult } from "./exit.ts"
import type { LaunchFailure } from "./program/mod.ts"
import type { LaunchedProcess, RuntimePort } from "./runtime.ts"
import { signalNumber, type SignalName } from "./signals.ts"
import { commandText, type ChildSpec } from "./spec.ts"
import { flatMapNow, mapNow, succeeded } from "./settled.ts"
import type { PreExecStep } from "./steps.ts"

/** A child whose target has been exec'd. */
export interface Running<Io, E = never, R = never> {
  readonly pid: number
  readonly io: Io
  readonly spec: ChildSpec<E, R>
  /** The exit, as data, after every plugin's exit hook; computed once. */
  readonly exit: Effect.Effect<ExitResult, never, R>
  readonly kill: (signal: SignalName) => boolean
  /**
   * The owner is done with the child: once it has exited, its process group
   * (descendants it left behind) can no longer be signalled. Call it exactly
   * when nothing will stop the group any more; until then the pidfd stays open.
   */
  readonly release: Effect.Effect<void>
}

/**
 * `value` through each plugin's hook in order (a plugin without one passes it
 * on): a chain of flatMaps, not a generator, since this is every spawn's path.
 */
const throughPlugins = <A, E, R>(
  plugins: ChildSpec<E, R>["plugins"],
  value: A,
  hook: (plugin: ChildSpec<E, R>["plugins"][number], value: A) => Effect.Effect<A, E, R> | undefined,
  from = 0
): Effect.Effect<A, E, R> => {
  let current = value
  for (let index = from; index < plugins.length; index++) {
    const plugin = plugins[index] as ChildSpec<E, R>["plugins"][number]
    const next = hook(plugin, current)
    if (next === undefined) continue
    // A hook that answered at once (Effect.succeed is an Exit) goes on here, with no step through the fiber (settled.ts).
    const done = succeeded(next)
    if (done === undefined) return Effect.flatMap(next, (result) => throughPlugins(plugins, result, hook, index + 1))
    current = done.value
  }
  return Effect.succeed(current)
}

/** Phase 1 (parent): each plugin may adjust or reject the spec. */
const spawnPhase = <E, R>(spec: ChildSpec<E, R>): Effect.Effect<ChildSpec<E, R>, E | SpawnError, R> =>
  spec.argv.length === 0 || spec.argv[0] === ""
    ? Effect.fail(new SpawnError({ reason: "InvalidSpec", command: "", detail: "the command (argv[0]) is empty" }))
    : throughPlugins(spec.plugins, spec, (plugin, adjusted) => plugin.spawn?.(adjusted))

/** Phase 2 (parent): the steps the child program runs before execve, as data. */
const preExecPhase = <E, R>(spec: ChildSpec<E, R>): Effect.Effect<ReadonlyArray<PreExecStep>, E, R> =>
  throughPlugins<ReadonlyArray<PreExecStep>, E, R>(
    spec.plugins,
    spec.cwd === undefined ? [] : [{ kind: "chdir", path: spec.cwd }],
    (plugin, steps) => plugin.preExec === undefined ? undefined : mapNow(plugin.preExec(spec), (more) => [...steps, ...more])
  )

/**
 * The exit, as data, after every plugin's exit hook: computed once, however
 * many wait for it (a run waits in two places). Hooks that answer at once
 * (the usual case) are computed by the first to arrive, in one step; hooks
 * that take time run once in a fiber of their own, which every waiter joins.
 */
const exitOnce = <Io, E, R>(
  process: LaunchedProcess<Io>,
  spec: ChildSpec<E, R>,
  startedAt: number
): Effect.Effect<ExitResult, never, R> => {
  let computed: Effect.Effect<ExitResult, never, R> | undefined
  return Effect.flatMap(process.exited, (status) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      if (computed !== undefined) return computed
      const result: ExitResult = { pid: process.pid, ...status, durationMs: now - startedAt, diagnosis: undefined }
      const hooked = throughPlugins<ExitResult, never, R>(spec.plugins as ChildSpec<never, R>["plugins"], result, (plugin, exit) => plugin.exit?.(exit, spec))
      if (succeeded(hooked) !== undefined) return (computed = hooked)
      // Set before this waiter goes on, so that one arriving meanwhile joins the same run of the hooks.
      const done = Deferred.makeUnsafe<ExitResult>()
      computed = Deferred.await(done)
      return Effect.andThen(Effect.forkDetach(Effect.flatMap(hooked, (exit) => Deferred.succeed(done, exit))), computed)
    }))
}

/** A start that failed: the plugins' `failed` hooks may explain a child program's failure with their own error. */
const failedStart = <E, R>(spec: ChildSpec<E, R>, error: SpawnError): Effect.Effect<never, E | SpawnError, R> =>
  Effect.gen(function* () {
    const failure = error.failure
    if (failure !== undefined) for (const plugin of spec.plugins) if (plugin.failed) yield* plugin.failed(failure, spec)
    return yield* error
  })

/** The target runs: the `exec` hooks, then the child as its owner gets it, with its exit computed once, when asked. */
const running = <Io, E, R>(launched: LaunchedProcess<Io>, ready: ChildSpec<E, R>, startedAt: number): Effect.Effect<Running<Io, E, R>, never, R> =>
  mapNow(
    throughPlugins<void, never, R>(ready.plugins as ChildSpec<never, R>["plugins"], undefined, (plugin) => plugin.exec?.({ pid: launched.pid, spec: ready })),
    (): Running<Io, E, R> => ({
      pid: launched.pid,
      io: launched.io,
      spec: ready,
      exit: exitOnce(launched, ready, startedAt),
      kill: launched.kill,
      release: launched.release
    })
  )

/**
 * The child did not reach its target (its program failed, or a `launched`
 * hook did): kill it and reap it, so no zombie is left, then fail with the
 * hook's error or the child's report, as the plugins explain it.
 */
const abandoned = <Io, E, R>(
  launched: LaunchedProcess<Io>,
  ready: ChildSpec<E, R>,
  command: string,
  failure: LaunchFailure | undefined,
  hooked: Exit.Exit<void, E> | undefined
): Effect.Effect<never, E | SpawnError, R> =>
  Effect.gen(function* () {
    launched.kill("SIGKILL")
    yield* launched.exited
    yield* launched.release
    if (hooked !== undefined && Exit.isFailure(hooked)) return yield* Effect.failCause(hooked.cause)
    return yield* failedStart(ready, spawnErrorFromFailure(failure ?? { stage: "launcher", errno: 0, subject: "no report" }, command))
  })

/** The launched child until its target runs, with its plugins' `launched` hooks (the notify handshake) alongside. */
const started = <Io, E, R>(launched: LaunchedProcess<Io>, ready: ChildSpec<E, R>, command: string, startedAt: number): Effect.Effect<Running<Io, E, R>, E | SpawnError, R> => {
  const launchedHooks = ready.plugins.flatMap((plugin) => (plugin.launched ? [plugin.launched(launched.child, ready)] : []))
  // No hook (the usual case): no fiber, just the start.
  if (launchedHooks.length === 0) {
    return Effect.flatMap(launched.started, (failure) => failure === undefined ? running(launched, ready, startedAt) : abandoned(launched, ready, command, failure, undefined))
  }
  return Effect.gen(function* () {
    // A hook that fails leaves the child waiting for it: kill it so start() ends.
    const hooks = yield* Effect.forkChild(Effect.all(launchedHooks, { concurrency: "unbounded", discard: true }).pipe(Effect.onError(() => Effect.sync(() => launched.kill("SIGKILL")))))
    const failure = yield* launched.started
    // Once the target runs, every hook has done its part; if the child failed, a hook that failed first explains why.
    const hooked = failure === undefined ? yield* Fiber.await(hooks) : hooks.pollUnsafe()
    if (failure === undefined && hooked !== undefined && Exit.isSuccess(hooked)) return yield* running(launched, ready, startedAt)
    yield* Fiber.interrupt(hooks)
    return yield* abandoned(launched, ready, command, failure, hooked)
  })
}

/**
 * Start a child: run the spawn and preExec hooks, clone it through the
 * runtime with its program, run the `launched` hooks while it prepares, and
 * succeed once the target has been exec'd. A chain of steps, not a
 * generator: this is every spawn's path.
 */
export const start = <Io, E, R>(
  runtime: RuntimePort<Io>,
  spec: ChildSpec<E, R>
): Effect.Effect<Running<Io, E, R>, E | SpawnError, R> =>
  flatMapNow(spawnPhase(spec), (ready) =>
    flatMapNow(preExecPhase(ready), (steps) =>
      Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
        const command = commandText(ready.argv)
        const launch = runtime.launch({
          argv: ready.argv,
          env: environmentStrings(ready.env),
          steps,
          stdio: ready.stdio,
          parentDeathSignal: ready.parentDeathSignal === undefined ? 0 : signalNumber(ready.parentDeathSignal)
        }, command)
        return Effect.flatMap(Effect.catchTag(launch, "SpawnError", (error) => failedStart(ready, error)), (launched) => started(launched, ready, command, startedAt))
      })))
