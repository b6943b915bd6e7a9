/**
 * kakoi on Bun: run commands with plugins (seccomp filters, resource limits)
 * in force from the target's first instruction. The same API as `kakoi/node`;
 * a child's streams are web streams (`stdin` a WritableStream, `stdout` and
 * `stderr` ReadableStreams).
 *
 * @example
 * ```ts
 * import { run } from "kakoi/bun"
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const denyMkdir = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] })
 * const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(denyMkdir)] })
 * result.exitCode // 1: mkdir said "Operation not permitted"
 * ```
 */
import { Layer } from "effect"
import type { Plugin } from "../../core/plugin.ts"
import { makeApi, type Api, type Child as ChildOf, type RunOptions as RunOptionsOf } from "../../core/api.ts"
import { makeSupervisorApi, type SupervisorApi } from "../../core/supervisor/api.ts"
import { supervisorHost } from "../shared/supervisor-host.ts"
import { NativeLibrary, type Native } from "../../core/native.ts"
import type { NativeLibraryError } from "../../core/native-error.ts"
import type { WebIo } from "../../core/web-io.ts"
import type { SeccompLibrary } from "../../plugins/seccomp/library.ts"
import { loadPolicy as loadPolicyEffect } from "../../plugins/seccomp/load.ts"
import { learnEffect, type LearnOptions, type LearnResult } from "../../plugins/seccomp/learn/learn.ts"
import type { Policy } from "../../plugins/seccomp/model.ts"
import { trapInProcess as trapInProcessEffect, type TrapOptions } from "../../plugins/seccomp/notify/in-process.ts"
import { trapHelperPath, trapHelperStarter } from "../shared/trap-helper-host.ts"
import { layer as seccompLibraryLayer } from "./libseccomp.ts"
import { ListenerSystemService } from "../../plugins/seccomp/notify/system.ts"
import { bunListenerSystem } from "./listener.ts"
import { bunNative } from "./native.ts"
import { bunHost } from "./runtime.ts"

export type { RunResult, SpawnResult } from "../../core/api.ts"
export type { WebIo }

/** Services the plugins shipped with kakoi need on Bun. */
export type BunServices = SeccompLibrary | Native

/** The layer that provides them with bun:ffi bindings. */
export const layer: Layer.Layer<BunServices, NativeLibraryError> = Layer.mergeAll(
  seccompLibraryLayer,
  Layer.sync(NativeLibrary, bunNative),
  // Notify rules: the listener system with a poll in a Worker (asked for only when a policy notifies).
  Layer.sync(ListenerSystemService, bunListenerSystem)
)

export type RunOptions<E = unknown> = RunOptionsOf<E, BunServices>

/** A running child started by `spawn`, with web streams. */
export type Child = ChildOf<WebIo>

const api: Api<WebIo, BunServices> = makeApi(bunHost, layer)

/**
 * Run a command to completion as an Effect; a non-zero exit is data.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/bun"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"]), layer))
 * ```
 */
export const runEffect: Api<WebIo, BunServices>["runEffect"] = api.runEffect

/**
 * Run a command to completion; rejects with a typed error only when the child cannot start.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await run(["echo", "hi"])
 * ```
 */
export const run: Api<WebIo, BunServices>["run"] = api.run

/**
 * Start a command and return once its target is exec'd. Streams default to pipes.
 *
 * @example
 * ```ts
 * const child = await spawn(["cat"])
 * const writer = child.stdin?.getWriter()
 * await writer?.write(new TextEncoder().encode("hello"))
 * await writer?.close()
 * const { exitCode } = await child.result
 * ```
 */
export const spawn: Api<WebIo, BunServices>["spawn"] = api.spawn

/**
 * Load a policy into this process and every one of its threads (TSYNC), as
 * the seed's `context.load` does. A bad policy rejects before anything
 * changes; once loaded, the filter cannot be removed.
 *
 * @example
 * ```ts
 * await loadPolicy(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
 * ```
 */
export const loadPolicy = (policy: Policy): Promise<void> => api.runPromise(loadPolicyEffect(policy))

/**
 * Load a policy into this process whose `trap` rules fail the call with
 * `options.errno` (EPERM) and tell `options.onTrap` which syscall it was, as
 * the seed's `on_trap`. A helper process answers the calls, so the program
 * cannot deadlock itself; reports arrive asynchronously (see README, "In-process traps").
 *
 * @example
 * ```ts
 * await trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat"), { default: "allow" }), {
 *   errno: "EACCES",
 *   onTrap: (call) => console.error(`trapped ${call.name}(${call.args.join(", ")})`)
 * })
 * ```
 */
export const trapInProcess = (policy: Policy, options: TrapOptions): Promise<void> =>
  api.runPromise(trapInProcessEffect(policy, options, bunTrapHelper))

const bunTrapHelper = trapHelperStarter((parent, errno) =>
  [process.execPath, trapHelperPath, "bun", String(parent), String(errno)])

/**
 * Learn a least-privilege policy for a command: run it with every syscall
 * observed, then allow just those (plus `launcherSyscalls`) and fail the rest
 * with `errno` (EPERM). Rejects like `run` when the command cannot start.
 *
 * @example
 * ```ts
 * const { policy, syscalls } = await learn(["ls", "/"])
 * const again = await run(["ls", "/"], { plugins: [seccomp(policy)] }) // same output
 * ```
 */
export const learn = (argv: ReadonlyArray<string>, options?: LearnOptions<unknown, BunServices>): Promise<LearnResult> => api.runPromise(learnEffect<BunServices, never, Plugin<unknown, BunServices>>(api.runEffect, argv, options))

export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../../core/supervisor/api.ts"
export { formatEvent, SupervisorError } from "../../core/supervisor/mod.ts"
export type { ChildSpec, ChildStatus, OutputLine, SupervisorEvent, SupervisorSpec, WorkerSpec } from "../../core/supervisor/mod.ts"

type BunSupervisorApi = SupervisorApi<BunServices>

const supervisorApi: BunSupervisorApi = makeSupervisorApi(supervisorHost(bunHost), layer)

/**
 * Start a supervision tree in the current scope (closing it stops every child
 * and its process group, last started first); succeeds once every child is
 * started and ready.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { layer, superviseEffect } from "kakoi/bun"
 *
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 *   yield* Stream.runForEach(Stream.take(tree.events, 2), (event) => Effect.log(event.type))
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const superviseEffect: BunSupervisorApi["superviseEffect"] = supervisorApi.superviseEffect

/**
 * Start a supervision tree; resolves once every child is started and ready,
 * rejects with a typed error when one cannot start. Aborting `signal` or
 * calling `stop()` stops every child gracefully.
 *
 * @example
 * ```ts
 * const tree = await supervise({
 *   name: "app",
 *   children: [{ name: "web", argv: ["sleep", "60"], restart: "permanent", stop: { signal: "SIGTERM", timeoutMs: 2000 } }]
 * })
 * for await (const event of tree.events) if (event.type === "started") break
 * await tree.stop()
 * ```
 */
export const supervise: BunSupervisorApi["supervise"] = supervisorApi.supervise
