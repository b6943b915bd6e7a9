/**
 * The supervisor's public API, written once over a SupervisorHost: a
 * scope-managed Effect (`superviseEffect`) and a Promise/AsyncIterable one
 * (`supervise`) with AbortSignal support. An adapter's mod.ts picks its host
 * and layer and re-exports these.
 */
import { Cause, Clock, Effect, Exit, Fiber, FiberSet, type Layer, Scope, Stream } from "effect"
import type { SpawnError } from "../errors.ts"
import type { SupervisorError } from "./errors.ts"
import type { SupervisorEvent } from "./events.ts"
import type { RunningChildren, SupervisorHost, Tree } from "./host.ts"
import { listenHostSignals, type HostSignals } from "./host-signals.ts"
import { makeHub, type Hub } from "./hub.ts"
import type { OutputChunk, OutputLine } from "./lines.ts"
import type { SupervisorSpec, TreeError, TreeServices } from "./spec.ts"
import type { ChildStatus } from "./status.ts"
import { checkPlugins } from "./preflight.ts"
import { runSupervisor } from "./supervisor.ts"
import { validateTree } from "./validate.ts"

/** Recent values a late subscriber still gets: enough for everything a tree does while it starts. */
const replay = 1024

/**
 * A running supervision tree, as the Effect API hands it out.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { formatEvent, layer, superviseEffect } from "kakoi"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "tick", argv: ["/bin/sh", "-c", "echo tick; sleep 1"] }] })
 *   yield* Stream.runForEach(Stream.take(tree.lines, 1), (line) => Effect.log(`${line.child}: ${line.line}`))
 *   console.log(yield* tree.status)
 *   yield* Stream.runForEach(Stream.take(tree.events, 3), (event) => Effect.log(formatEvent(event)))
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export interface Supervisor {
  readonly name: string
  /** Every event of the tree, in order (the last 1024 replayed to a late subscriber); ends when the tree stops. */
  readonly events: Stream.Stream<SupervisorEvent>
  /** Every child's stdout and stderr as lines tagged with the child's path. */
  readonly lines: Stream.Stream<OutputLine>
  /** The same output as the chunks of bytes the pipes delivered. */
  readonly output: Stream.Stream<OutputChunk>
  /** One entry per child, nested supervisors followed by their children. */
  readonly status: Effect.Effect<ReadonlyArray<ChildStatus>>
  /** Succeeds when every child has ended for good; fails with the SupervisorError when the tree gave up. */
  readonly done: Effect.Effect<void, SupervisorError>
}

/**
 * A running supervision tree for Promise users; `await using` stops it when
 * the block ends.
 *
 * @example
 * ```ts
 * import { formatEvent, supervise } from "kakoi"
 *
 * await using tree = await supervise({ name: "app", children: [{ name: "sleeper", argv: ["sleep", "60"] }] })
 * console.log(await tree.status()) // [{ child: "app/sleeper", state: "running", pid: 4242, ... }]
 * setTimeout(() => void tree.stop(), 1000)
 * for await (const event of tree.events) console.log(formatEvent(event))
 * await tree.done
 * ```
 */
export interface SupervisorHandle extends AsyncDisposable {
  readonly name: string
  readonly events: AsyncIterable<SupervisorEvent>
  readonly lines: AsyncIterable<OutputLine>
  readonly output: AsyncIterable<OutputChunk>
  readonly status: () => Promise<ReadonlyArray<ChildStatus>>
  /** Stop every child gracefully, last started first; resolves when all are gone. */
  readonly stop: () => Promise<void>
  /** Resolves when every child has ended for good or the tree was stopped; rejects with the SupervisorError when it gave up. */
  readonly done: Promise<void>
}

/**
 * Options of the Promise API.
 *
 * @example
 * ```ts
 * import { formatEvent, supervise, type SuperviseOptions } from "kakoi"
 *
 * const options: SuperviseOptions = {
 *   signal: AbortSignal.timeout(60_000),
 *   hostSignals: "stop",
 *   onEvent: (event) => console.error(formatEvent(event)),
 *   onLine: (line) => console.log(`[${line.child}] ${line.line}`)
 * }
 * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["./web"] }] }, options)
 * await tree.done
 * ```
 */
export interface SuperviseOptions {
  /**
   * Aborting stops the tree gracefully, like `stop()`; while the tree still
   * starts, it stops the children started so far and `supervise` rejects with the abort reason.
   */
  readonly signal?: AbortSignal
  /**
   * What SIGTERM and SIGINT received by this process do while the tree runs:
   * "stop" stops it gracefully (and `done` resolves), "forward" sends them to
   * every child's process group. Default: not listened for, so the runtime
   * exits and the children die by their parent-death signal. (Effect users
   * get "stop" from their runtime's main, which interrupts and so closes the scope.)
   */
  readonly hostSignals?: HostSignals
  /** Called for every event from the first child's start on, before `supervise` resolves too. Must not throw. */
  readonly onEvent?: (event: SupervisorEvent) => void
  /** Called for every line of the children's output from the first child's start on. Must not throw. */
  readonly onLine?: (line: OutputLine) => void
}

/** Listeners that see a tree's events and lines while it starts; its scope closes only once they have seen the last. */
type Observers = Pick<SuperviseOptions, "onEvent" | "onLine">

/**
 * Feeds every value of `hub` to `listener` on a fiber of its own, until the hub closes. Subscribed
 * before the fiber runs: a child that prints more than the replay before then must lose no line.
 */
const observeHub = <A>(hub: Hub<A>, listener: ((value: A) => void) | undefined): Effect.Effect<Fiber.Fiber<void> | undefined, never, Scope.Scope> =>
  listener === undefined
    ? Effect.succeed(undefined)
    : Effect.flatMap(hub.subscribe, (values) => Effect.forkDetach(Stream.runForEach(values, (value) => Effect.sync(() => listener(value)))))

/**
 * The supervisor entry points of one adapter (`makeSupervisorApi` builds them).
 *
 * @example
 * ```ts
 * import type { Services } from "kakoi"
 * import type { SupervisorApi } from "./api.ts"
 *
 * declare const api: SupervisorApi<Services>
 * const tree = await api.supervise({ name: "app", children: [{ name: "sleeper", argv: ["sleep", "60"] }] })
 * await tree.stop()
 * ```
 */
export interface SupervisorApi<R, X = never> {
  /**
   * Start a supervision tree in the current scope; succeeds once every child
   * is started and ready. Closing the scope stops every child and its process
   * group. Services the tree's plugins need beyond the adapter's
   * (`TreeServices<S>`) are the caller's to provide: the plugins' hooks run
   * with the caller's context.
   */
  readonly superviseEffect: <S extends SupervisorSpec<unknown, unknown>>(
    spec: S
  ) => Effect.Effect<Supervisor, TreeError<S> | SpawnError | X | SupervisorError, R | TreeServices<S> | Scope.Scope>
  /** Start a supervision tree; rejects with the typed error when it cannot start. */
  readonly supervise: (spec: SupervisorSpec<unknown, R>, options?: SuperviseOptions) => Promise<SupervisorHandle>
}

/**
 * The supervisor API over a host and the layer that provides the plugins' services.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { makeSupervisorApi } from "./api.ts"
 * import type { SupervisorHost } from "./host.ts"
 *
 * declare const host: SupervisorHost<{}>
 * const { supervise } = makeSupervisorApi(host, Layer.empty)
 * const tree = await supervise({ name: "app", children: [{ name: "sleeper", argv: ["sleep", "60"] }] })
 * await tree.stop()
 * ```
 */
export const makeSupervisorApi = <Io, R, LE, X = never>(host: SupervisorHost<Io, X>, layer: Layer.Layer<R, LE>): SupervisorApi<R, X> => {
  /** The tree, and its running children (what host signals are forwarded to). */
  const startTree = <E>(given: SupervisorSpec<E, R>, observers: Observers = {}) =>
    Effect.gen(function* () {
      // From here on only the tree as checked is read.
      const spec = yield* validateTree(given)
      yield* checkPlugins(spec)
      const running: RunningChildren = new Set()
      const events = yield* makeHub<SupervisorEvent>(replay)
      const lines = yield* makeHub<OutputLine>(replay)
      const output = yield* makeHub<OutputChunk>(replay)
      // Not in the scope: they end with the hubs (after the last "stopped" event), which the finalizer waits for.
      const observing = [yield* observeHub(events, observers.onEvent), yield* observeHub(lines, observers.onLine)]
      // Runs after the children are stopped (finalizers run last-added first), so "stopped" events are seen.
      yield* Effect.addFinalizer(() =>
        Effect.andThen(
          Effect.andThen(Effect.andThen(events.close, lines.close), output.close),
          Effect.forEach(observing, (fiber) => (fiber === undefined ? Effect.void : Effect.asVoid(Fiber.await(fiber))), { discard: true })
        ))
      const emit: Tree<Io, X>["emit"] = (event) => Effect.map(Clock.currentTimeMillis, (at) => events.publish({ ...event, at } as SupervisorEvent))
      // Fibers of the tree's scope, for events that synchronous callbacks report.
      const runInTree = yield* FiberSet.makeRuntime<never, void, never>()
      const tree: Tree<Io, X> = {
        host,
        emit,
        emitFromCallback: (event) => void runInTree(emit(event)),
        lines,
        output,
        running
      }
      const run = yield* runSupervisor(tree, spec.name, spec)
      const supervisor: Supervisor = { name: spec.name, events: events.stream, lines: lines.stream, output: output.stream, status: run.status, done: run.done }
      return { supervisor, running }
    })

  const superviseEffect: SupervisorApi<R, X>["superviseEffect"] = <S extends SupervisorSpec<unknown, unknown>>(spec: S) =>
    // The tree's type erases its plugins' errors and services to unknown; they are TreeError<S> and TreeServices<S>, read from the tree as written.
    Effect.map(startTree(spec as SupervisorSpec<unknown, R>), ({ supervisor }) => supervisor) as Effect.Effect<
      Supervisor,
      TreeError<S> | SpawnError | X | SupervisorError,
      R | TreeServices<S> | Scope.Scope
    >

  const supervise: SupervisorApi<R, X>["supervise"] = async (spec, options = {}) => {
    options.signal?.throwIfAborted()
    const scope = Scope.makeUnsafe()
    // An abort while the tree starts interrupts the start: a child waiting to be ready must not hold up a stop.
    const started = await Effect.runPromiseExit(startTree(spec, options).pipe(Scope.provide(scope), Effect.provide(layer)), { signal: options.signal })
    if (Exit.isFailure(started)) {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      throw options.signal?.aborted === true ? options.signal.reason : Cause.squash(started.cause)
    }
    const { supervisor: tree, running } = started.value
    let stopping: Promise<void> | undefined
    let markStopped = () => {}
    const stopped = new Promise<void>((resolve) => (markStopped = resolve))
    const stop = () => (stopping ??= Effect.runPromise(Scope.close(scope, Exit.void)).then(markStopped))
    // Stopped on purpose, the tree's own end never comes: `done` settles with the stop instead.
    const done = Promise.race([Effect.runPromise(tree.done), stopped])
    // Whichever way it ended, release the scope (and end the streams).
    done.then(stop, stop)
    // A caller that never looks at `done` must not get an unhandled rejection; one that does still sees it.
    done.catch(() => {})
    options.signal?.addEventListener("abort", () => void stop(), { once: true })
    if (options.hostSignals !== undefined) {
      // Listening only while the tree runs: afterwards the runtime handles the signals as usual again.
      const unsubscribe = listenHostSignals(host, options.hostSignals, () => void stop(), running)
      done.then(unsubscribe, unsubscribe)
    }
    return {
      name: tree.name,
      events: Stream.toAsyncIterable(tree.events),
      lines: Stream.toAsyncIterable(tree.lines),
      output: Stream.toAsyncIterable(tree.output),
      status: () => Effect.runPromise(tree.status),
      stop,
      done,
      [Symbol.asyncDispose]: stop
    }
  }

  return { superviseEffect, supervise }
}
