/**
 * kakoi on Node: run commands with plugins (seccomp filters, resource limits)
 * in force from the target's first instruction; a child's streams are Node
 * streams. The API is documented once, on `AdapterApi` (adapters/shared/make-adapter.ts).
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
import type { Child as ChildOf, RunOptions as RunOptionsOf } from "../../core/api.ts"
import { makeAdapter, type AdapterApi, type Services } from "../shared/make-adapter.ts"
import { nodeBinding, type NodeIo } from "./runtime.ts"

export type { RunResult, SpawnResult } from "../../core/api.ts"
export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../../core/supervisor/api.ts"
export { formatEvent, SupervisorError } from "../../core/supervisor/mod.ts"
export type { ChildSpec, ChildStatus, OutputLine, SupervisorEvent, SupervisorSpec, WorkerSpec } from "../../core/supervisor/mod.ts"
export type { NodeIo }

/**
 * Services the plugins shipped with kakoi need on Node; `layer` provides them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, type NodeServices } from "kakoi/node"
 *
 * declare const program: Effect.Effect<number, never, NodeServices>
 * const value = await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export type NodeServices = Services

/**
 * The options of `run` on Node: the child's (plugins, env, cwd, stdio, ...), when to stop it, and how its output comes back.
 *
 * @example
 * ```ts
 * import { run, type RunOptions } from "kakoi/node"
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const options: RunOptions = { cwd: "/", env: { PATH: "/usr/bin:/bin" }, timeout: 5000, plugins: [seccomp(policy({ default: "allow" }))] }
 * const { exitCode, stdout } = await run(["pwd"], options) // 0, "/\n"
 * ```
 */
export type RunOptions<E = unknown> = RunOptionsOf<E, NodeServices>

/**
 * A running child started by `spawn`, with Node streams.
 *
 * @example
 * ```ts
 * import { spawn, type Child } from "kakoi/node"
 *
 * const child: Child = await spawn(["echo", "hi"])
 * child.stdout?.setEncoding("utf8").on("data", (text: string) => console.log(text)) // "hi\n"
 * const { exitCode } = await child.result
 * ```
 */
export type Child = ChildOf<NodeIo>

// Node adapter.
const adapter: AdapterApi<NodeIo> = makeAdapter(nodeBinding)

/**
 * The layer the plugins' services come from: see `AdapterApi["layer"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/node"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"]), layer))
 * ```
 */
export const layer: AdapterApi<NodeIo>["layer"] = adapter.layer
/**
 * Run a command to completion as an Effect: see `AdapterApi["runEffect"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/node"
 *
 * const program = Effect.gen(function*() {
 *   const { exitCode, stdout } = yield* runEffect(["echo", "hi"])
 *   return stdout // "hi\n"
 * })
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const runEffect: AdapterApi<NodeIo>["runEffect"] = adapter.runEffect
/**
 * Run a command to completion: see `AdapterApi["run"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { run } from "kakoi/node"
 *
 * const { exitCode, stdout } = await run(["echo", "hi"]) // 0, "hi\n"
 * ```
 */
export const run: AdapterApi<NodeIo>["run"] = adapter.run
/**
 * Start a command; resolves once its target is exec'd: see `AdapterApi["spawn"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi/node"
 *
 * const child = await spawn(["sleep", "30"])
 * child.kill("SIGTERM")
 * const { signal } = await child.result // "SIGTERM"
 * ```
 */
export const spawn: AdapterApi<NodeIo>["spawn"] = adapter.spawn
/**
 * Load a policy into this process (TSYNC): see `AdapterApi["loadPolicy"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { loadPolicy } from "kakoi/node"
 * import { policy } from "kakoi/seccomp"
 *
 * await loadPolicy(policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat"), { default: "allow" }))
 * ```
 */
export const loadPolicy: AdapterApi<NodeIo>["loadPolicy"] = adapter.loadPolicy
/**
 * Learn a least-privilege policy for a command: see `AdapterApi["learn"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { learn, run } from "kakoi/node"
 * import { seccomp } from "kakoi/seccomp"
 *
 * const { policy, syscalls } = await learn(["ls", "/"])
 * const again = await run(["ls", "/"], { plugins: [seccomp(policy)] })
 * ```
 */
export const learn: AdapterApi<NodeIo>["learn"] = adapter.learn
/**
 * Load a policy whose trap rules are reported to `onTrap`: see `AdapterApi["trapInProcess"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { trapInProcess } from "kakoi/node"
 * import { policy } from "kakoi/seccomp"
 *
 * await trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat"), { default: "allow" }), {
 *   errno: "EACCES",
 *   onTrap: (call) => console.error(`trapped ${call.name}`)
 * })
 * ```
 */
export const trapInProcess: AdapterApi<NodeIo>["trapInProcess"] = adapter.trapInProcess
/**
 * Start a supervision tree in the current scope: see `AdapterApi["superviseEffect"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, superviseEffect } from "kakoi/node"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 *   return yield* tree.status
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const superviseEffect: AdapterApi<NodeIo>["superviseEffect"] = adapter.superviseEffect
/**
 * Start a supervision tree: see `AdapterApi["supervise"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { supervise } from "kakoi/node"
 *
 * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["sleep", "60"], restart: "permanent" }] })
 * await tree.stop()
 * ```
 */
export const supervise: AdapterApi<NodeIo>["supervise"] = adapter.supervise
