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

/** Services the plugins shipped with kakoi need on Node. */
export type NodeServices = Services

export type RunOptions<E = unknown> = RunOptionsOf<E, NodeServices>

/** A running child started by `spawn`, with Node streams. */
export type Child = ChildOf<NodeIo>

// Node adapter.
const adapter: AdapterApi<NodeIo> = makeAdapter(nodeBinding)

/** The layer the plugins' services come from: see `AdapterApi["layer"]` (adapters/shared/make-adapter.ts). */
export const layer: AdapterApi<NodeIo>["layer"] = adapter.layer
/** Run a command to completion as an Effect: see `AdapterApi["runEffect"]` (adapters/shared/make-adapter.ts). */
export const runEffect: AdapterApi<NodeIo>["runEffect"] = adapter.runEffect
/** Run a command to completion: see `AdapterApi["run"]` (adapters/shared/make-adapter.ts). */
export const run: AdapterApi<NodeIo>["run"] = adapter.run
/** Start a command; resolves once its target is exec'd: see `AdapterApi["spawn"]` (adapters/shared/make-adapter.ts). */
export const spawn: AdapterApi<NodeIo>["spawn"] = adapter.spawn
/** Load a policy into this process (TSYNC): see `AdapterApi["loadPolicy"]` (adapters/shared/make-adapter.ts). */
export const loadPolicy: AdapterApi<NodeIo>["loadPolicy"] = adapter.loadPolicy
/** Learn a least-privilege policy for a command: see `AdapterApi["learn"]` (adapters/shared/make-adapter.ts). */
export const learn: AdapterApi<NodeIo>["learn"] = adapter.learn
/** Load a policy whose trap rules are reported to `onTrap`: see `AdapterApi["trapInProcess"]` (adapters/shared/make-adapter.ts). */
export const trapInProcess: AdapterApi<NodeIo>["trapInProcess"] = adapter.trapInProcess
/** Start a supervision tree in the current scope: see `AdapterApi["superviseEffect"]` (adapters/shared/make-adapter.ts). */
export const superviseEffect: AdapterApi<NodeIo>["superviseEffect"] = adapter.superviseEffect
/** Start a supervision tree: see `AdapterApi["supervise"]` (adapters/shared/make-adapter.ts). */
export const supervise: AdapterApi<NodeIo>["supervise"] = adapter.supervise
