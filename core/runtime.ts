/**
 * The Runtime port: how the lifecycle starts a child in one runtime. Every
 * adapter builds it with `nativeRuntime` over its FFI binding (the native
 * launcher in core/launch) and its own stream type `Io` (Node streams, web
 * streams), which the core passes through untouched.
 */
import { Effect } from "effect"
import { SpawnError, spawnErrorFromFailure } from "./errors.ts"
import { CloneRefused, nativeLauncher, type LaunchBinding, type LaunchRequest, type SignalGroup } from "./launch/spawn.ts"
import type { LaunchingChild } from "./plugin.ts"
import { ProgramError, UnsupportedArchitecture, type LaunchFailure } from "./program/mod.ts"
import type { SignalName } from "./signals.ts"

export type { LaunchBinding, LaunchRequest, SignalGroup }

export interface ProcessStatus {
  readonly exitCode: number | undefined
  readonly signal: SignalName | undefined
}

/** A child between clone and exit. */
export interface LaunchedProcess<Io> {
  /** The target's pid once `started` has succeeded (before, under a pid namespace's init, the init's). */
  readonly pid: number
  readonly io: Io
  /** What `launched` hooks talk to until the target runs (the notify handshake). */
  readonly child: LaunchingChild
  /** Succeeds with the child's failure report, or undefined once the target runs. */
  readonly started: Effect.Effect<LaunchFailure | undefined>
  /** Completes when the process has ended (and has been reaped). */
  readonly exited: Effect.Effect<ProcessStatus>
  /** Send a signal through the pidfd; false when the process is already gone. */
  readonly kill: (signal: SignalName) => boolean
  /** Done with the child and its process group: after the exit, signalling the group no longer reaches it. */
  readonly release: Effect.Effect<void>
}

export interface RuntimePort<Io> {
  readonly name: "node" | "deno" | "bun"
  /** Clone a child that runs `request`; `command` is only for error messages. */
  readonly launch: (request: LaunchRequest, command: string) => Effect.Effect<LaunchedProcess<Io>, SpawnError>
}

/**
 * The Runtime port of the native launcher, which can also signal the process groups its children lead.
 *
 * @example
 * ```ts
 * declare const runtime: NativeRuntime<unknown>
 * runtime.signalGroup(1234, "SIGTERM") // true only if 1234 is a child of this runtime, not released, with a group left
 * ```
 */
export interface NativeRuntime<Io> extends RuntimePort<Io> {
  readonly signalGroup: SignalGroup
}

const programErrorPrefix = "Cannot start the command: "

/** A thrown launch failure as the SpawnError users get. */
const spawnErrorOf = (error: unknown, command: string): SpawnError => {
  if (error instanceof ProgramError) {
    const detail = error.message.startsWith(programErrorPrefix) ? error.message.slice(programErrorPrefix.length) : error.message
    return new SpawnError({ reason: "InvalidSpec", command, detail })
  }
  if (error instanceof CloneRefused) return spawnErrorFromFailure(error.failure, command)
  if (error instanceof UnsupportedArchitecture) return new SpawnError({ reason: "UnsupportedArchitecture", command, detail: error.message })
  return new SpawnError({ reason: "LauncherFailed", command, detail: error instanceof Error ? error.message : String(error) })
}

/**
 * The Runtime port of an adapter: the native launcher over its binding
 * (loaded on the first launch, with the interpreter's code page and the
 * inherited limits and signals, so importing kakoi needs no FFI permission),
 * and `streams` to turn the parent's pipe ends into its own stream type;
 * `signalGroup` reaches only groups its own unreaped children lead.
 *
 * @example
 * ```ts
 * declare const binding: LaunchBinding
 * const runtime = nativeRuntime("node", () => binding, ([stdin, stdout, stderr]) => ({ stdin, stdout, stderr }))
 * runtime.signalGroup(1234, "SIGTERM") // false unless 1234 is a child of this runtime not reaped yet
 * ```
 */
export const nativeRuntime = <Io>(
  name: RuntimePort<Io>["name"],
  binding: () => LaunchBinding,
  streams: (pipes: readonly [number | undefined, number | undefined, number | undefined]) => Io
): NativeRuntime<Io> => {
  let launcher: ReturnType<typeof nativeLauncher> | undefined
  return {
    name,
    // No launcher yet means no child yet, so no group of ours.
    signalGroup: (pgid, signal) => launcher !== undefined && launcher.signalGroup(pgid, signal),
    launch: (request, command) =>
      Effect.try({
        try: (): LaunchedProcess<Io> => {
          launcher ??= nativeLauncher(binding())
          const child = launcher.launch(request)
          // Streams are made when the owner first asks, which it does only for a target that runs: a failed start
          // (its release, with no streams made) closes the pipes itself, or a spawn's stdin would stay open for good.
          let io: Io | undefined
          return {
            // The target's pid, which an init learns only when the target runs (`started`).
            get pid() {
              return child.pid
            },
            get io() {
              return (io ??= streams(child.pipes))
            },
            child: child.launching,
            // Known at once after a CLONE_VFORK clone: no promise callback to wait for, so the owner's next steps
            // run in this same turn (while the target runs; the launcher waits for its exit only after them).
            started: Effect.suspend(() => {
              const known = child.startedWith()
              return known === undefined ? Effect.promise(() => child.started) : Effect.succeed(known.failure)
            }),
            exited: Effect.promise(() => child.exited),
            kill: child.kill,
            release: Effect.sync(() => {
              if (io === undefined) child.closePipes()
              child.release()
            })
          }
        },
        catch: (error) => spawnErrorOf(error, command)
      })
  }
}
