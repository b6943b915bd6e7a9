/**
 * kakoi on Deno: run commands with plugins (seccomp filters, resource limits)
 * in force from the target's first instruction. The same API as `kakoi/node`
 * (documented once, on `AdapterApi` in adapters/shared/make-adapter.ts); a
 * child's streams are web streams (`stdin` a WritableStream, `stdout` and
 * `stderr` ReadableStreams).
 *
 * Permissions: `--allow-ffi` (libc and libseccomp) and `--allow-run` for each
 * target (as `Deno.Command` would need; `--allow-run=/usr/bin/ls` is enough
 * for `ls`), plus `--allow-env` when a child's `env` is omitted, since it then
 * gets the supervisor's environment. `--allow-read` is not needed. A missing
 * one fails with a `DenoPermissionError` naming the flag, before anything
 * starts. `trapInProcess` also needs `--allow-run` for `Deno.execPath()` (its helper).
 *
 * @example
 * ```ts
 * import { run } from "kakoi/deno"
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const denyMkdir = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] })
 * const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(denyMkdir)], env: {} })
 * result.exitCode // 1: mkdir said "Operation not permitted"
 * ```
 */
import type { Child as ChildOf, RunOptions as RunOptionsOf } from "../../core/api.ts"
import type { WebIo } from "../../core/web-io.ts"
import { makeAdapter, type AdapterApi, type Services } from "../shared/make-adapter.ts"
import type { DenoPermissionError } from "./permissions.ts"
import { denoBinding } from "./runtime.ts"

export type { RunResult, SpawnResult } from "../../core/api.ts"
export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../../core/supervisor/api.ts"
export { formatEvent, SupervisorError } from "../../core/supervisor/mod.ts"
export type { ChildSpec, ChildStatus, OutputLine, SupervisorEvent, SupervisorSpec, WorkerSpec } from "../../core/supervisor/mod.ts"
export { DenoPermissionError } from "./permissions.ts"
export type { WebIo }

/** Services the plugins shipped with kakoi need on Deno. */
export type DenoServices = Services

export type RunOptions<E = unknown> = RunOptionsOf<E, DenoServices>

/** A running child started by `spawn`, with web streams. */
export type Child = ChildOf<WebIo>

// Deno adapter.
const adapter: AdapterApi<WebIo, DenoPermissionError> = makeAdapter(denoBinding)

/** The layer the plugins' services come from: see `AdapterApi["layer"]` (adapters/shared/make-adapter.ts). */
export const layer: AdapterApi<WebIo, DenoPermissionError>["layer"] = adapter.layer
/** Run a command to completion as an Effect: see `AdapterApi["runEffect"]` (adapters/shared/make-adapter.ts). */
export const runEffect: AdapterApi<WebIo, DenoPermissionError>["runEffect"] = adapter.runEffect
/** Run a command to completion: see `AdapterApi["run"]` (adapters/shared/make-adapter.ts). */
export const run: AdapterApi<WebIo, DenoPermissionError>["run"] = adapter.run
/** Start a command; resolves once its target is exec'd: see `AdapterApi["spawn"]` (adapters/shared/make-adapter.ts). */
export const spawn: AdapterApi<WebIo, DenoPermissionError>["spawn"] = adapter.spawn
/** Load a policy into this process (TSYNC): see `AdapterApi["loadPolicy"]` (adapters/shared/make-adapter.ts). */
export const loadPolicy: AdapterApi<WebIo, DenoPermissionError>["loadPolicy"] = adapter.loadPolicy
/** Learn a least-privilege policy for a command: see `AdapterApi["learn"]` (adapters/shared/make-adapter.ts). */
export const learn: AdapterApi<WebIo, DenoPermissionError>["learn"] = adapter.learn
/** Load a policy whose trap rules are reported to `onTrap`: see `AdapterApi["trapInProcess"]` (adapters/shared/make-adapter.ts). */
export const trapInProcess: AdapterApi<WebIo, DenoPermissionError>["trapInProcess"] = adapter.trapInProcess
/** Start a supervision tree in the current scope: see `AdapterApi["superviseEffect"]` (adapters/shared/make-adapter.ts). */
export const superviseEffect: AdapterApi<WebIo, DenoPermissionError>["superviseEffect"] = adapter.superviseEffect
/** Start a supervision tree: see `AdapterApi["supervise"]` (adapters/shared/make-adapter.ts). */
export const supervise: AdapterApi<WebIo, DenoPermissionError>["supervise"] = adapter.supervise
