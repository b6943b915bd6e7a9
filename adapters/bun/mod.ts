/**
 * kakoi on Bun: run commands with plugins (seccomp filters, resource limits)
 * in force from the target's first instruction. The same API as `kakoi/node`
 * (documented once, on `AdapterApi` in adapters/shared/make-adapter.ts); a
 * child's streams are web streams (`stdin` a WritableStream, `stdout` and
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
import type { Child as ChildOf, RunOptions as RunOptionsOf } from "../../core/api.ts"
import type { WebIo } from "../../core/web-io.ts"
import { makeAdapter, type AdapterApi, type Services } from "../shared/make-adapter.ts"
import { bunBinding } from "./runtime.ts"

export type { RunResult, SpawnResult } from "../../core/api.ts"
export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../../core/supervisor/api.ts"
export { formatEvent, SupervisorError } from "../../core/supervisor/mod.ts"
export type { ChildSpec, ChildStatus, OutputLine, SupervisorEvent, SupervisorSpec, WorkerSpec } from "../../core/supervisor/mod.ts"
export type { WebIo }

/** Services the plugins shipped with kakoi need on Bun. */
export type BunServices = Services

export type RunOptions<E = unknown> = RunOptionsOf<E, BunServices>

/** A running child started by `spawn`, with web streams. */
export type Child = ChildOf<WebIo>

// Bun adapter.
const adapter: AdapterApi<WebIo> = makeAdapter(bunBinding)

/** The layer the plugins' services come from: see `AdapterApi["layer"]` (adapters/shared/make-adapter.ts). */
export const layer: AdapterApi<WebIo>["layer"] = adapter.layer
/** Run a command to completion as an Effect: see `AdapterApi["runEffect"]` (adapters/shared/make-adapter.ts). */
export const runEffect: AdapterApi<WebIo>["runEffect"] = adapter.runEffect
/** Run a command to completion: see `AdapterApi["run"]` (adapters/shared/make-adapter.ts). */
export const run: AdapterApi<WebIo>["run"] = adapter.run
/** Start a command; resolves once its target is exec'd: see `AdapterApi["spawn"]` (adapters/shared/make-adapter.ts). */
export const spawn: AdapterApi<WebIo>["spawn"] = adapter.spawn
/** Load a policy into this process (TSYNC): see `AdapterApi["loadPolicy"]` (adapters/shared/make-adapter.ts). */
export const loadPolicy: AdapterApi<WebIo>["loadPolicy"] = adapter.loadPolicy
/** Learn a least-privilege policy for a command: see `AdapterApi["learn"]` (adapters/shared/make-adapter.ts). */
export const learn: AdapterApi<WebIo>["learn"] = adapter.learn
/** Load a policy whose trap rules are reported to `onTrap`: see `AdapterApi["trapInProcess"]` (adapters/shared/make-adapter.ts). */
export const trapInProcess: AdapterApi<WebIo>["trapInProcess"] = adapter.trapInProcess
/** Start a supervision tree in the current scope: see `AdapterApi["superviseEffect"]` (adapters/shared/make-adapter.ts). */
export const superviseEffect: AdapterApi<WebIo>["superviseEffect"] = adapter.superviseEffect
/** Start a supervision tree: see `AdapterApi["supervise"]` (adapters/shared/make-adapter.ts). */
export const supervise: AdapterApi<WebIo>["supervise"] = adapter.supervise
