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
import { Layer } from "effect"
import type { Plugin } from "../../core/plugin.ts"
import { makeApi, type Api, type Child as ChildOf, type RunOptions as RunOptionsOf } from "../../core/api.ts"
import { makeSupervisorApi, type SupervisorApi } from "../../core/supervisor/api.ts"
import { supervisorHost } from "../shared/supervisor-host.ts"
import { NativeLibrary, type Native } from "../../core/native.ts"
import type { NativeLibraryError } from "../../core/native-error.ts"
import type { SeccompLibrary } from "../../plugins/seccomp/library.ts"
import { loadPolicy as loadPolicyEffect } from "../../plugins/seccomp/load.ts"
import { learnEffect, type LearnOptions, type LearnResult } from "../../plugins/seccomp/learn/learn.ts"
import type { Policy } from "../../plugins/seccomp/model.ts"
import { trapInProcess as trapInProcessEffect, type TrapOptions } from "../../plugins/seccomp/notify/in-process.ts"
import { trapHelperPath, trapHelperStarter } from "../shared/trap-helper-host.ts"
import { layer as seccompLibraryLayer } from "./libseccomp.ts"
import { ListenerSystemService } from "../../plugins/seccomp/notify/system.ts"
import { nodeListenerSystem } from "./listener.ts"
import { nodeNative } from "./native.ts"
import { nodeHost, type NodeIo } from "./runtime.ts"

export type { RunResult, SpawnResult } from "../../core/api.ts"
export type { NodeIo }

/** Services the plugins shipped with kakoi need on Node. */
export type NodeServices = SeccompLibrary | Native

/**
 * The layer that provides them with koffi bindings, and the listener system
 * notify rules use (asked for only when a policy notifies, so not in `NodeServices`).
 */
export const layer: Layer.Layer<NodeServices, NativeLibraryError> = Layer.mergeAll(
  seccompLibraryLayer,
  Layer.sync(NativeLibrary, nodeNative),
  // Notify rules: the listener system with a poll on the libuv pool.
  Layer.sync(ListenerSystemService, nodeListenerSystem)
)

export type RunOptions<E = unknown> = RunOptionsOf<E, NodeServices>

/** A running child started by `spawn`, with Node streams. */
export type Child = ChildOf<NodeIo>

const api: Api<NodeIo, NodeServices> = makeApi(nodeHost, layer)

/**
 * Run a command to completion as an Effect. Fails only when the child cannot
 * start (bad policy, command not found, ...); a non-zero exit is data.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/node"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"]), layer))
 * ```
 */
export const runEffect: Api<NodeIo, NodeServices>["runEffect"] = api.runEffect

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
export const run: Api<NodeIo, NodeServices>["run"] = api.run

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
export const spawn: Api<NodeIo, NodeServices>["spawn"] = api.spawn

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
export const learn = (argv: ReadonlyArray<string>, options?: LearnOptions<unknown, NodeServices>): Promise<LearnResult> => api.runPromise(learnEffect<NodeServices, never, Plugin<unknown, NodeServices>>(api.runEffect, argv, options))

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
  api.runPromise(trapInProcessEffect(policy, options, nodeTrapHelper))

const nodeTrapHelper = trapHelperStarter((parent, errno) =>
  [process.execPath, "--no-warnings", trapHelperPath, "node", String(parent), String(errno)])

export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../../core/supervisor/api.ts"
export { formatEvent, SupervisorError } from "../../core/supervisor/mod.ts"
export type { ChildSpec, ChildStatus, OutputLine, SupervisorEvent, SupervisorSpec, WorkerSpec } from "../../core/supervisor/mod.ts"

type NodeSupervisorApi = SupervisorApi<NodeServices>

const supervisorApi: NodeSupervisorApi = makeSupervisorApi(supervisorHost(nodeHost), layer)

/**
 * Start a supervision tree in the current scope (closing it stops every child
 * and its process group, last started first); succeeds once every child is
 * started and ready.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { layer, superviseEffect } from "kakoi/node"
 *
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 *   yield* Stream.runForEach(Stream.take(tree.events, 2), (event) => Effect.log(event.type))
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const superviseEffect: NodeSupervisorApi["superviseEffect"] = supervisorApi.superviseEffect

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
export const supervise: NodeSupervisorApi["supervise"] = supervisorApi.supervise
