/**
 * Starting one worker: the lifecycle's `start` with the child contained (by
 * default its own pid namespace, so not even a SIGKILL of the supervisor
 * orphans its descendants) and in its own process group, its output pumped
 * into the tree's line and chunk hubs (always read, so a chatty child never
 * blocks on a full pipe), readiness, and a stop that reaches its descendants.
 */
import { Effect, type Scope } from "effect"
import type { SpawnError } from "../errors.ts"
import { hostSpec, signalTree } from "../run/child.ts"
import { start } from "../lifecycle.ts"
import type { Observation } from "../spec.ts"
import type { ChildExit } from "./events.ts"
import type { Tree } from "./host.ts"
import type { Instance } from "./instance.ts"
import { lineSplitter } from "./lines.ts"
import { awaitReadiness, lineWatch, type LineWatch } from "./readiness.ts"
import { stopPolicy, type WorkerSpec } from "./spec.ts"
import { stopGracefully } from "./stop.ts"

/** How long output may keep flowing after the child ended before it is no longer waited for. */
const drainMs = 1000

const pump = async <Io, X>(
  tree: Tree<Io, X>,
  child: string,
  source: AsyncIterable<Uint8Array>,
  stream: "stdout" | "stderr",
  watch: LineWatch | undefined
): Promise<void> => {
  const split = lineSplitter()
  const publish = (lines: ReadonlyArray<string>) => {
    for (const line of lines) {
      if (watch?.stream === stream) watch.check(line)
      tree.lines.publish({ child, stream, line })
    }
  }
  try {
    for await (const bytes of source) {
      tree.output.publish({ child, stream, bytes })
      publish(split.push(bytes))
    }
  } catch {
    // A stream error ends the output like end-of-file; the exit is what the supervisor acts on.
  }
  publish(split.end())
}

/** Output still held open by a descendant outside the group must not hold up the exit forever. */
const drained = (pumps: ReadonlyArray<Promise<void>>): Effect.Effect<void> =>
  Effect.asVoid(Effect.timeoutOption(Effect.promise(() => Promise.all(pumps)), drainMs))

/**
 * Start a worker and return once its target runs; the start itself cannot be
 * interrupted, so a process that exists is always known to the supervisor.
 *
 * @example
 * ```ts
 * import { startWorker } from "./worker.ts"
 *
 * declare const tree: import("./host.ts").Tree<unknown, never>
 * declare const scope: import("effect").Scope.Scope
 * const instance = startWorker(tree, "app/web", { name: "web", argv: ["sleep", "60"] }, scope)
 * ```
 */
export const startWorker = <Io, X, E, R>(
  tree: Tree<Io, X>,
  path: string,
  worker: WorkerSpec<E, R>,
  scope: Scope.Scope
): Effect.Effect<Instance<R>, E | SpawnError | X, R> =>
  Effect.uninterruptible(
    Effect.gen(function* () {
      const { host } = tree
      const grouped = worker.processGroup ?? true
      // What plugins observe (a notify handler's trapped syscalls) becomes an event of the tree, then reaches the worker's own observer.
      const observe = (observation: Observation): void => {
        tree.emitFromCallback({ type: "trapped-syscall", child: path, pid: observation.pid, syscall: observation.syscall })
        worker.observe?.(observation)
      }
      const spec = yield* hostSpec(host, worker.argv, { ...worker, observe }, grouped, ["ignore", "pipe", "pipe"])
      const running = yield* start(host.runtime, spec)
      const watch = lineWatch(worker.ready)
      const pumps = (["stdout", "stderr"] as const).flatMap((stream) => {
        const source = host.outputBytes(running.io, stream)
        return source === undefined ? [] : [pump(tree, path, source, stream, watch)]
      })
      // A contained child (by default its own pid namespace) leads no group the
      // supervisor can see (its setsid ran inside): its init, signalled through the pidfd, forwards
      // the signal, and its end kills everything left in the namespace.
      const send = signalTree(host, running, grouped)
      tree.running.add(send)
      // The child is released even if this wait is interrupted (the tree's scope closing): its pidfd then goes with the reap.
      const exit: Effect.Effect<ChildExit, never, R> = yield* Effect.cached(
        Effect.gen(function* () {
          const result = yield* running.exit
          tree.running.delete(send)
          // Descendants left in the group die with the child: none may outlive it.
          if (grouped) send("SIGKILL")
          yield* drained(pumps)
          return result
        }).pipe(Effect.ensuring(running.release))
      )
      const stop = stopGracefully(send, exit, stopPolicy(worker.stop))
      const readiness = awaitReadiness(worker.ready, watch, running.pid)
      // An exit first is no readiness failure: the "exited" event tells of it.
      const ready = Effect.raceFirst(readiness, Effect.as(exit, undefined)).pipe(
        Effect.flatMap((outcome) => {
          if (outcome === undefined) return Effect.succeed(false)
          if (outcome.ready) return Effect.succeed(true)
          // Not ready in time: say why and stop it; its exit then goes through the restart policy like any other.
          return tree.emit({ type: "not-ready", child: path, reason: outcome.reason }).pipe(
            // In the supervisor's scope: closing it interrupts this stop, and its own stop of the child takes over.
            Effect.andThen(Effect.forkIn(stop, scope)),
            Effect.as(false)
          )
        })
      )
      return { pid: running.pid, exit, ready, stop, below: Effect.succeed([]) }
    })
  )
