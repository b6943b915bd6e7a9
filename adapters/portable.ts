/**
 * What the root entry `kakoi` offers in every runtime, typed without any
 * runtime's globals so that tsc (Node's types), tsconfig.bun.json and
 * `deno check` all accept it. A child's streams are web streams in all three
 * runtimes; Node streams stay in `kakoi/node`. The supervisor hands out no
 * streams of a child (it reads their output itself), so its API is the same
 * in every adapter.
 */
import type { Child as ChildOf, RunOptions as RunOptionsOf } from "../core/api.ts"
import type { WebIo } from "../core/web-io.ts"
import type { AdapterApi, Services } from "./shared/make-adapter.ts"
import type { DenoPermissionError } from "./deno/permission-error.ts"

export type { RunResult, SpawnResult } from "../core/api.ts"
export type { WebIo }
export { SpawnError, type SpawnErrorReason } from "../core/errors.ts"
export { NativeLibraryError } from "../core/native-error.ts"
export { DenoPermissionError } from "./deno/permission-error.ts"
export {
  answer,
  arg,
  launcherSyscalls,
  MemoryReadError,
  PathError,
  policy,
  PolicyError,
  resolvePath,
  seccomp,
  SeccompLoadError,
  readBytes,
  readString,
  SyscallError,
  TrapError,
  type TrapOptions,
  type TrappedCall,
  type MemoryReadErrorReason,
  type Notification,
  type NotifyHandler,
  type Policy,
  type PolicyJson,
  type ResolvedPath,
  type SeccompOptions
} from "../plugins/seccomp/mod.ts"
export { rlimit, RlimitError, type RlimitOptions } from "../plugins/rlimit/mod.ts"
export type { Plugin } from "../core/plugin.ts"
export type { Supervisor, SupervisorHandle, SuperviseOptions } from "../core/supervisor/api.ts"
export { describeExit, formatEvent, SupervisorError, type SupervisorErrorReason } from "../core/supervisor/mod.ts"
export type {
  Backoff,
  BackoffOptions,
  ChildExit,
  ChildSpec,
  ChildState,
  ChildStatus,
  HostSignals,
  Intensity,
  OutputChunk,
  OutputLine,
  Readiness,
  RestartType,
  StopPolicy,
  Strategy,
  SupervisorEvent,
  SupervisorSpec,
  WorkerSpec
} from "../core/supervisor/mod.ts"

export type { Services }

/**
 * The options of `run`: the child's (plugins, env, cwd, stdio, ...), when to
 * stop it, and how its output comes back.
 *
 * @example
 * ```ts
 * import { policy, run, seccomp, type RunOptions } from "kakoi"
 *
 * const options: RunOptions = { cwd: "/", env: { PATH: "/usr/bin:/bin" }, timeout: 5000, plugins: [seccomp(policy({ default: "allow" }))] }
 * const { exitCode, stdout } = await run(["pwd"], options) // 0, "/\n"
 * ```
 */
export type RunOptions<E = unknown> = RunOptionsOf<E, Services>

/**
 * A running child started by `spawn`, with web streams.
 *
 * @example
 * ```ts
 * import { spawn, type Child } from "kakoi"
 *
 * const child: Child = await spawn(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } })
 * const text = await new Response(child.stdout).text() // "hi\n"
 * const { exitCode } = await child.result
 * ```
 */
export type Child = ChildOf<WebIo>

/**
 * Failures only some runtimes have: Deno's missing permissions.
 *
 * @example
 * ```ts
 * import { DenoPermissionError, run, type RuntimeError } from "kakoi"
 *
 * const isRuntimeError = (error: unknown): error is RuntimeError => error instanceof DenoPermissionError
 * const failure = await run(["ls"]).then(() => undefined, (error: unknown) => error)
 * if (isRuntimeError(failure)) console.error(failure.message) // names the missing flag: --allow-env here (no env given), or --allow-run
 * ```
 */
export type RuntimeError = DenoPermissionError

/**
 * The portable adapter API: what `kakoi` exports besides the plugins and errors (documented on `AdapterApi`).
 *
 * @example
 * ```ts
 * import { run, spawn, type Adapter } from "kakoi"
 *
 * const launcher: Pick<Adapter, "run" | "spawn"> = { run, spawn }
 * const { exitCode } = await launcher.run(["true"], { env: { PATH: "/usr/bin:/bin" } })
 * ```
 */
export type Adapter = Omit<AdapterApi<WebIo, RuntimeError>, "host">
