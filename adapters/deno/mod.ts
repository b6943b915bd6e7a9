/**
 * kakoi on Deno: run commands with plugins (seccomp filters, resource limits)
 * in force from the target's first instruction. The same API as `kakoi/node`;
 * a child's streams are web streams (`stdin` a WritableStream, `stdout` and
 * `stderr` ReadableStreams).
 *
 * Permissions: `--allow-ffi` (libc and libseccomp) and `--allow-run` (the
 * launcher is `Deno.execPath()` itself; `--allow-run=$(which deno)` is
 * enough), plus `--allow-env` when a child's `env` is omitted, since it then
 * gets the supervisor's environment. `--allow-read` is not needed. A missing
 * one fails with a `DenoPermissionError` naming the flag, before anything
 * starts. Note that `--allow-run` lets the program start Deno with every
 * permission, as any subprocess could.
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
import { denoListenerSystem } from "./listener.ts"
import { denoNative } from "./native.ts"
import type { DenoPermissionError } from "./permissions.ts"
import { denoHost } from "./runtime.ts"

export type { RunResult, SpawnResult } from "../../core/api.ts"
export { DenoPermissionError } from "./permissions.ts"
export type { WebIo }

/** Services the plugins shipped with kakoi need on Deno. */
export type DenoServices = SeccompLibrary | Native

/** The layer that provides them with Deno.dlopen bindings. */
export const layer: Layer.Layer<DenoServices, NativeLibraryError | DenoPermissionError> = Layer.mergeAll(
  seccompLibraryLayer,
  Layer.sync(NativeLibrary, denoNative),
  // Notify rules: the listener system with a poll on Deno's blocking pool (asked for only when a policy notifies).
  Layer.sync(ListenerSystemService, denoListenerSystem)
)

export type RunOptions<E = unknown> = RunOptionsOf<E, DenoServices>

/** A running child started by `spawn`, with web streams. */
export type Child = ChildOf<WebIo>

type DenoApi = Api<WebIo, DenoServices, DenoPermissionError>

const api: DenoApi = makeApi(denoHost, layer)

/**
 * Run a command to completion as an Effect; a non-zero exit is data. Fails
 * with a `DenoPermissionError` when a permission is missing.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/deno"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"], { env: {} }), layer))
 * ```
 */
export const runEffect: DenoApi["runEffect"] = api.runEffect

/**
 * Run a command to completion; rejects with a typed error only when the child cannot start.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await run(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } })
 * ```
 */
export const run: DenoApi["run"] = api.run

/**
 * Start a command and return once its target is exec'd. Streams default to pipes.
 *
 * @example
 * ```ts
 * const child = await spawn(["cat"], { env: {} })
 * const writer = child.stdin?.getWriter()
 * await writer?.write(new TextEncoder().encode("hello"))
 * await writer?.close()
 * const { exitCode } = await child.result
 * ```
 */
export const spawn: DenoApi["spawn"] = api.spawn

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
 * cannot deadlock itself; reports arrive asynchronously (see README, "In-process traps"). The helper is `deno run --allow-all` on a small script (Deno lets nothing less read `/proc/<pid>/fd`), so the program needs `--allow-run` for `Deno.execPath()`.
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
  api.runPromise(trapInProcessEffect(policy, options, denoTrapHelper))

const denoTrapHelper = trapHelperStarter((parent, errno) =>
  // --allow-all: Deno grants /proc/<pid>/fd, which the helper scans for the listener, to nothing less.
  // No escalation: a program allowed to run Deno.execPath() can already start it with any permission.
  [Deno.execPath(), "run", "--no-prompt", "--allow-all", trapHelperPath, "deno", String(parent), String(errno)])

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
export const learn = (argv: ReadonlyArray<string>, options?: LearnOptions<unknown, DenoServices>): Promise<LearnResult> => api.runPromise(learnEffect<DenoServices, DenoPermissionError, Plugin<unknown, DenoServices>>(api.runEffect, argv, options))

export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../../core/supervisor/api.ts"
export { formatEvent, SupervisorError } from "../../core/supervisor/mod.ts"
export type { ChildSpec, ChildStatus, OutputLine, SupervisorEvent, SupervisorSpec, WorkerSpec } from "../../core/supervisor/mod.ts"

type DenoSupervisorApi = SupervisorApi<DenoServices, DenoPermissionError>

const supervisorApi: DenoSupervisorApi = makeSupervisorApi(supervisorHost(denoHost), layer)

/**
 * Start a supervision tree in the current scope (closing it stops every child
 * and its process group, last started first); succeeds once every child is
 * started and ready.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { layer, superviseEffect } from "kakoi/deno"
 *
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 *   yield* Stream.runForEach(Stream.take(tree.events, 2), (event) => Effect.log(event.type))
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const superviseEffect: DenoSupervisorApi["superviseEffect"] = supervisorApi.superviseEffect

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
export const supervise: DenoSupervisorApi["supervise"] = supervisorApi.supervise
