/**
 * kakoi on Node: run commands with plugins (seccomp filters, resource limits)
 * in force from the target's first instruction.
 *
 * @example
 * ```ts
 * import { run } from "kakoi/node"
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const denyMkdir = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] })
 * const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(denyMkdir)] })
 * result.exitCode // 1: mkdir said "Operation not permitted"
 * ```
 */
import { Effect, Exit, Cause, Layer } from "effect"
import type { Readable, Writable } from "node:stream"
import type { SpawnError } from "../../core/errors.ts"
import type { ExitResult } from "../../core/exit.ts"
import { start } from "../../core/lifecycle.ts"
import type { SignalName } from "../../core/signals.ts"
import { commandText, makeSpec, type ChildOptions, type StdioOption } from "../../core/spec.ts"
import type { SeccompLibrary } from "../../plugins/seccomp/library.ts"
import type { NativeLibraryError } from "../../core/native-error.ts"
import { layer as seccompLibraryLayer } from "./libseccomp.ts"
import { nodeRuntime } from "./runtime.ts"

/** Services the plugins shipped with kakoi need on Node. */
export type NodeServices = SeccompLibrary

/** The layer that provides them with koffi bindings. */
export const layer: Layer.Layer<NodeServices, NativeLibraryError> = seccompLibraryLayer

export interface RunOptions<E = any> extends ChildOptions<E, NodeServices> {
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

const collect = (stream: Readable | undefined): Promise<string> =>
  new Promise((resolve, reject) => {
    if (stream === undefined) return resolve("")
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    stream.once("error", reject)
    stream.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

const runDefaults = (input: boolean): { env: NodeJS.ProcessEnv; stdio: readonly [StdioOption, StdioOption, StdioOption] } => ({
  env: process.env,
  stdio: [input ? "pipe" : "ignore", "pipe", "pipe"]
})

/**
 * Run a command to completion as an Effect. Fails only when the child cannot
 * start (bad policy, command not found, ...); a non-zero exit is data.
 */
export const runEffect = <E>(
  argv: ReadonlyArray<string>,
  options: RunOptions<E> = {}
): Effect.Effect<RunResult, E | SpawnError, NodeServices> =>
  Effect.gen(function* () {
    const child = yield* start(nodeRuntime, makeSpec(argv, options, runDefaults(options.input !== undefined)))
    const stdout = collect(child.io.stdout)
    const stderr = collect(child.io.stderr)
    if (options.input !== undefined) child.io.stdin?.end(options.input)
    const exit = yield* child.exit.pipe(Effect.onInterrupt(() => Effect.sync(() => child.kill("SIGKILL"))))
    return { ...exit, command: commandText(child.spec.argv), stdout: yield* Effect.promise(() => stdout), stderr: yield* Effect.promise(() => stderr) }
  })

/** Run an Effect of this adapter with its services, rejecting with the typed error itself. */
const runPromise = async <A, E>(effect: Effect.Effect<A, E, NodeServices>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect.pipe(Effect.provide(layer)))
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * Run a command to completion. Resolves with the exit as data (never rejects
 * because of a non-zero exit); rejects with a typed error when the child
 * cannot start.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await run(["echo", "hi"])
 * ```
 */
export const run = <E>(argv: ReadonlyArray<string>, options: RunOptions<E> = {}): Promise<RunResult> =>
  runPromise(runEffect(argv, options))

/** A running child started by `spawn`. */
export interface Child {
  readonly pid: number
  readonly stdin: Writable | undefined
  readonly stdout: Readable | undefined
  readonly stderr: Readable | undefined
  /** Send a signal; false when the child is already gone. */
  readonly kill: (signal?: SignalName) => boolean
  /** How the child ended. */
  readonly result: Promise<SpawnResult>
}

/**
 * Start a command and return once its target is exec'd (under its own pid,
 * with every plugin in force). Streams default to pipes.
 *
 * @example
 * ```ts
 * const child = await spawn(["cat"])
 * child.stdin?.end("hello")
 * const { exitCode } = await child.result
 * ```
 */
export const spawn = async <E>(argv: ReadonlyArray<string>, options: ChildOptions<E, NodeServices> = {}): Promise<Child> => {
  const child = await runPromise(start(nodeRuntime, makeSpec(argv, options, { env: process.env, stdio: ["pipe", "pipe", "pipe"] })))
  const command = commandText(child.spec.argv)
  return {
    pid: child.pid,
    ...child.io,
    kill: (signal = "SIGTERM") => child.kill(signal),
    result: runPromise(child.exit).then((exit) => ({ ...exit, command }))
  }
}
