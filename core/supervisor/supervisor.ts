/**
 * One supervisor of a tree: starts its children in order (each after the one
 * before is ready), watches their exits, restarts them by strategy, restart
 * type, backoff and intensity, and stops them in reverse start order when its
 * scope closes. Nested supervisors are children like workers.
 */
import { Clock, Deferred, Effect, Exit, Fiber, Queue, Scope } from "effect"
import type { SpawnError } from "../errors.ts"
import { backoffs, type Backoffs } from "./backoff.ts"
import { SupervisorError } from "./errors.ts"
import type { ChildExit } from "./events.ts"
import type { Tree } from "./host.ts"
import type { Instance } from "./instance.ts"
import { restartWindow } from "./intensity.ts"
import { defaults, isSupervisorSpec, type ChildSpec, type RestartType, type SupervisorSpec } from "./spec.ts"
import type { ChildState, ChildStatus } from "./status.ts"
import { restartSet, shouldRestart } from "./strategy.ts"
import { startWorker } from "./worker.ts"

/**
 * A running supervisor, before the public handle adds its streams.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { SupervisorRun } from "./supervisor.ts"
 *
 * declare const run: SupervisorRun
 * const report = Effect.map(run.status, (children) => children.map(({ child, state }) => `${child}: ${state}`))
 * ```
 */
export interface SupervisorRun {
  /** Succeeds when every child has ended for good; fails when the supervisor gave up. */
  readonly done: Effect.Effect<void, SupervisorError>
  readonly status: Effect.Effect<ReadonlyArray<ChildStatus>>
}

interface Slot<E, R> {
  readonly spec: ChildSpec<E, R>
  readonly path: string
  readonly restart: RestartType
  readonly backoff: Backoffs
  /** Bumped whenever the supervisor itself ends a run, so that run's exit is not mistaken for a failure. */
  generation: number
  instance: Instance<R> | undefined
  state: ChildState
  startedAt: number
  restarts: number
  lastExits: Array<ChildExit>
}

interface Ended<E, R> {
  readonly slot: Slot<E, R>
  readonly generation: number
  readonly exit: ChildExit
}

/** Exits kept per child for the give-up error. */
const keptExits = 5

const spawnFailure = (error: unknown): ChildExit => ({
  pid: undefined,
  exitCode: undefined,
  signal: undefined,
  durationMs: 0,
  diagnosis: { cause: "spawn", message: (error as { readonly message?: string })?.message ?? String(error), syscalls: [] }
})

/**
 * Run one supervisor in the current scope; succeeds once every child has been
 * started and is ready. Closing the scope stops its children, last started first.
 *
 * @example
 * ```ts
 * import { runSupervisor } from "./supervisor.ts"
 *
 * declare const tree: import("./host.ts").Tree<unknown, never>
 * const running = runSupervisor(tree, "app", { name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 * ```
 */
export const runSupervisor = <Io, X, E, R>(
  tree: Tree<Io, X>,
  path: string,
  spec: SupervisorSpec<E, R>
): Effect.Effect<SupervisorRun, E | SpawnError | X | SupervisorError, R | Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const strategy = spec.strategy ?? defaults.strategy
    const intensity = { ...defaults.intensity, ...spec.intensity }
    const window = restartWindow(intensity)
    const mailbox = yield* Queue.unbounded<Ended<E, R>>()
    const done = yield* Deferred.make<void, SupervisorError>()
    const slots: Array<Slot<E, R>> = []
    for (const child of spec.children) {
      slots.push({
        spec: child,
        path: `${path}/${child.name}`,
        restart: child.restart ?? defaults.restart,
        backoff: yield* backoffs(child.backoff),
        generation: 0,
        instance: undefined,
        state: "stopped",
        startedAt: 0,
        restarts: 0,
        lastExits: []
      })
    }

    const startInstance = (slot: Slot<E, R>): Effect.Effect<Instance<R>, E | SpawnError | X | SupervisorError, R> =>
      isSupervisorSpec(slot.spec) ? startNested(tree, slot.path, slot.spec) : startWorker(tree, slot.path, slot.spec, scope)

    const startSlot = (slot: Slot<E, R>): Effect.Effect<void, E | SpawnError | X | SupervisorError, R> =>
      Effect.gen(function* () {
        slot.state = "starting"
        yield* tree.emit({ type: "starting", child: slot.path, attempt: slot.restarts })
        // Kept in the slot as soon as it exists: a tree stop that interrupts right after the start must find it to stop it.
        const instance = yield* Effect.uninterruptibleMask((restore) =>
          Effect.tap(restore(startInstance(slot)), (started) => Effect.sync(() => void (slot.instance = started))))
        slot.state = "running"
        slot.startedAt = yield* Clock.currentTimeMillis
        const generation = slot.generation
        yield* tree.emit({ type: "started", child: slot.path, pid: instance.pid })
        yield* Effect.forkIn(
          Effect.flatMap(instance.exit, (exit) => Queue.offer(mailbox, { slot, generation, exit })),
          scope
        )
        if (yield* instance.ready) yield* tree.emit({ type: "ready", child: slot.path })
      })

    const stopSlot = (slot: Slot<E, R>): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        slot.generation++
        const instance = slot.instance
        if (instance === undefined) return
        slot.state = "stopping"
        const exit = yield* instance.stop
        slot.instance = undefined
        slot.state = "stopped"
        yield* tree.emit({ type: "stopped", child: slot.path, exit })
      })

    const stopAll = Effect.forEach([...slots].reverse(), stopSlot, { discard: true })

    const giveUp = (slot: Slot<E, R>, detail: string): Effect.Effect<never, SupervisorError, R> =>
      Effect.gen(function* () {
        const error = new SupervisorError({ reason: "GaveUp", supervisor: path, child: slot.path, detail, lastExits: [...slot.lastExits] })
        yield* tree.emit({ type: "gave-up", child: slot.path, message: error.message })
        yield* stopAll
        return yield* error
      })

    /** Handle one exit; true when the supervisor has nothing left to run. */
    const handle = ({ slot, generation, exit }: Ended<E, R>): Effect.Effect<boolean, SupervisorError, R> =>
      Effect.gen(function* () {
        if (generation !== slot.generation) return false
        slot.instance = undefined
        slot.state = "exited"
        slot.lastExits = [...slot.lastExits, exit].slice(-keptExits)
        const restart = shouldRestart(slot.restart, exit)
        yield* tree.emit({ type: "exited", child: slot.path, exit, restart })
        if (!restart) return slots.every((other) => other.instance === undefined && other.state !== "restarting")
        const now = yield* Clock.currentTimeMillis
        if (exit.durationMs >= (slot.spec.resetAfterMs ?? defaults.resetAfterMs)) yield* slot.backoff.reset
        if (!window.record(now)) return yield* giveUp(slot, `more than ${intensity.maxRestarts} restarts within ${intensity.withinMs} ms`)
        const delayMs = yield* slot.backoff.next(exit)
        if (delayMs === undefined) return yield* giveUp(slot, "its backoff schedule ended")
        const index = slots.indexOf(slot)
        const group = restartSet(strategy, index, slots.length).map((at) => slots[at]!)
        for (const sibling of [...group].reverse()) if (sibling !== slot) yield* stopSlot(sibling)
        slot.restarts++
        slot.state = "restarting"
        yield* tree.emit({ type: "restarting", child: slot.path, delayMs, restarts: slot.restarts })
        yield* Effect.sleep(delayMs)
        for (const member of group) {
          // Temporary siblings stopped for the restart stay stopped, as in OTP.
          if (member !== slot && member.restart === "temporary") continue
          yield* startSlot(member).pipe(
            Effect.catch((error) => Queue.offer(mailbox, { slot: member, generation: member.generation, exit: spawnFailure(error) }))
          )
        }
        return false
      })

    const loop = Effect.gen(function* () {
      if (slots.length === 0) return
      while (!(yield* handle(yield* Queue.take(mailbox)))) {}
    })

    let looping: Fiber.Fiber<void> | undefined
    // Registered before any child starts, so a failure half-way through the start stops the started ones.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        if (looping !== undefined) yield* Fiber.interrupt(looping)
        yield* stopAll
      })
    )
    for (const slot of slots) yield* startSlot(slot)
    looping = yield* Effect.forkIn(Effect.flatMap(Effect.exit(loop), (exit) => Effect.asVoid(Deferred.done(done, exit))), scope)

    const status = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const entries: Array<ChildStatus> = []
      for (const slot of slots) {
        const running = slot.instance !== undefined && slot.state === "running"
        entries.push({
          child: slot.path,
          state: slot.state,
          pid: running ? slot.instance?.pid : undefined,
          uptimeMs: running ? now - slot.startedAt : 0,
          restarts: slot.restarts,
          lastExit: slot.lastExits.at(-1)
        })
        if (slot.instance !== undefined) entries.push(...(yield* slot.instance.below))
      }
      return entries
    })
    return { done: Deferred.await(done), status }
  })

/** A nested supervisor as a child: its own scope, its end (giving up, or all children done) as an exit. */
const startNested = <Io, X, E, R>(
  tree: Tree<Io, X>,
  path: string,
  spec: SupervisorSpec<E, R>
): Effect.Effect<Instance<R>, E | SpawnError | X | SupervisorError, R> =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const startedAt = yield* Clock.currentTimeMillis
    const run = yield* runSupervisor(tree, path, spec).pipe(
      Scope.provide(scope),
      Effect.onError(() => Scope.close(scope, Exit.void))
    )
    const asExit = (failure: SupervisorError | undefined): Effect.Effect<ChildExit> =>
      Effect.map(Clock.currentTimeMillis, (now) => ({
        pid: undefined,
        exitCode: failure === undefined ? 0 : 1,
        signal: undefined,
        durationMs: now - startedAt,
        diagnosis: failure === undefined ? undefined : { cause: "supervisor", message: failure.message, syscalls: [] }
      }))
    const exit = yield* Effect.cached(
      run.done.pipe(
        Effect.flatMap(() => asExit(undefined)),
        Effect.catch((error) => asExit(error)),
        // Its children are already stopped; closing the scope releases the rest.
        Effect.tap(() => Scope.close(scope, Exit.void))
      )
    )
    const stop = Effect.flatMap(Scope.close(scope, Exit.void), () => asExit(undefined))
    return { pid: undefined, exit, ready: Effect.succeed(true), stop, below: run.status }
  })
