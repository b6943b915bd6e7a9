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

/**
 * Services the plugins shipped with kakoi need on Deno; `layer` provides them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, type DenoServices } from "kakoi/deno"
 *
 * declare const program: Effect.Effect<number, never, DenoServices>
 * const value = await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export type DenoServices = Services

/**
 * The options of `run` on Deno: the child's (plugins, env, cwd, stdio, ...), when to stop it, and how its output comes back.
 *
 * @example
 * ```ts
 * import { run, type RunOptions } from "kakoi/deno"
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const options: RunOptions = { cwd: "/", env: { PATH: "/usr/bin:/bin" }, timeout: 5000, plugins: [seccomp(policy({ default: "allow" }))] }
 * const { exitCode, stdout } = await run(["pwd"], options) // 0, "/\n"
 * ```
 */
export type RunOptions<E = unknown> = RunOptionsOf<E, DenoServices>

/**
 * A running child started by `spawn`, with web streams.
 *
 * @example
 * ```ts
 * import { spawn, type Child } from "kakoi/deno"
 *
 * const child: Child = await spawn(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } })
 * const text = await new Response(child.stdout).text() // "hi\n"
 * const { exitCode } = await child.result
 * ```
 */
export type Child = ChildOf<WebIo>

// Deno adapter.
const adapter: AdapterApi<WebIo, DenoPermissionError> = makeAdapter(denoBinding)

/**
 * The layer the plugins' services come from: see `AdapterApi["layer"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/deno"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } }), layer))
 * ```
 */
export const layer: AdapterApi<WebIo, DenoPermissionError>["layer"] = adapter.layer
/**
 * Run a command to completion as an Effect: see `AdapterApi["runEffect"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/deno"
 *
 * const program = Effect.gen(function*() {
 *   const { exitCode, stdout } = yield* runEffect(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } })
 *   return stdout // "hi\n"
 * })
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const runEffect: AdapterApi<WebIo, DenoPermissionError>["runEffect"] = adapter.runEffect
/**
 * Run a command to completion: see `AdapterApi["run"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { run } from "kakoi/deno"
 *
 * const { exitCode, stdout } = await run(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } }) // 0, "hi\n"
 * ```
 */
export const run: AdapterApi<WebIo, DenoPermissionError>["run"] = adapter.run
/**
 * Start a command; resolves once its target is exec'd: see `AdapterApi["spawn"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi/deno"
 *
 * const child = await spawn(["sleep", "30"], { env: { PATH: "/usr/bin:/bin" } })
 * child.kill("SIGTERM")
 * const { signal } = await child.result // "SIGTERM"
 * ```
 */
export const spawn: AdapterApi<WebIo, DenoPermissionError>["spawn"] = adapter.spawn
/**
 * Load a policy into this process (TSYNC): see `AdapterApi["loadPolicy"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { loadPolicy } from "kakoi/deno"
 * import { policy } from "kakoi/seccomp"
 *
 * await loadPolicy(policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat"), { default: "allow" }))
 * ```
 */
export const loadPolicy: AdapterApi<WebIo, DenoPermissionError>["loadPolicy"] = adapter.loadPolicy
/**
 * Learn a least-privilege policy for a command: see `AdapterApi["learn"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { learn, run } from "kakoi/deno"
 * import { seccomp } from "kakoi/seccomp"
 *
 * const { policy, syscalls } = await learn(["ls", "/"], { env: { PATH: "/usr/bin:/bin" } })
 * const again = await run(["ls", "/"], { plugins: [seccomp(policy)], env: { PATH: "/usr/bin:/bin" } })
 * ```
 */
export const learn: AdapterApi<WebIo, DenoPermissionError>["learn"] = adapter.learn
/**
 * Load a policy whose trap rules are reported to `onTrap`: see `AdapterApi["trapInProcess"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { trapInProcess } from "kakoi/deno"
 * import { policy } from "kakoi/seccomp"
 *
 * await trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat"), { default: "allow" }), {
 *   errno: "EACCES",
 *   onTrap: (call) => console.error(`trapped ${call.name}`)
 * })
 * ```
 */
export const trapInProcess: AdapterApi<WebIo, DenoPermissionError>["trapInProcess"] = adapter.trapInProcess
/**
 * Start a supervision tree in the current scope: see `AdapterApi["superviseEffect"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, superviseEffect } from "kakoi/deno"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"], env: { PATH: "/usr/bin:/bin" } }] })
 *   return yield* tree.status
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const superviseEffect: AdapterApi<WebIo, DenoPermissionError>["superviseEffect"] = adapter.superviseEffect
/**
 * Start a supervision tree: see `AdapterApi["supervise"]` (adapters/shared/make-adapter.ts).
 *
 * @example
 * ```ts
 * import { supervise } from "kakoi/deno"
 *
 * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["sleep", "60"], restart: "permanent", env: { PATH: "/usr/bin:/bin" } }] })
 * await tree.stop()
 * ```
 */
export const supervise: AdapterApi<WebIo, DenoPermissionError>["supervise"] = adapter.supervise
