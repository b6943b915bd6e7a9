/**
 * What the root entry `kakoi` offers in every runtime, typed without any
 * runtime's globals so that tsc (Node's types), tsconfig.bun.json and
 * `deno check` all accept it. A child's streams are web streams in all three
 * runtimes; Node streams stay in `kakoi/node`. The supervisor hands out no
 * streams of a child (it reads their output itself), so its API is the same
 * in every adapter.
 */
import type { Layer } from "effect"
import type { Api, Child as ChildOf, RunOptions as RunOptionsOf } from "../core/api.ts"
import type { SupervisorApi } from "../core/supervisor/api.ts"
import type { Native } from "../core/native.ts"
import type { NativeLibraryError } from "../core/native-error.ts"
import type { WebIo } from "../core/web-io.ts"
import type { SeccompLibrary } from "../plugins/seccomp/library.ts"
import type { LearnOptions, LearnResult } from "../plugins/seccomp/learn/learn.ts"
import type { Policy } from "../plugins/seccomp/model.ts"
import type { TrapOptions } from "../plugins/seccomp/notify/in-process.ts"
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

/** Services the plugins shipped with kakoi need; every adapter's `layer` provides them. */
export type Services = SeccompLibrary | Native

export type RunOptions<E = unknown> = RunOptionsOf<E, Services>

/** A running child started by `spawn`, with web streams. */
export type Child = ChildOf<WebIo>

/** Failures only some runtimes have: Deno's missing permissions. */
export type RuntimeError = DenoPermissionError

/** The portable adapter API: what `kakoi` exports besides the plugins and errors. */
export interface Adapter {
  readonly runEffect: Api<WebIo, Services, RuntimeError>["runEffect"]
  readonly run: Api<WebIo, Services, RuntimeError>["run"]
  readonly spawn: Api<WebIo, Services, RuntimeError>["spawn"]
  readonly loadPolicy: (policy: Policy) => Promise<void>
  readonly learn: (argv: ReadonlyArray<string>, options?: LearnOptions<unknown, Services>) => Promise<LearnResult>
  readonly trapInProcess: (policy: Policy, options: TrapOptions) => Promise<void>
  readonly layer: Layer.Layer<Services, NativeLibraryError | RuntimeError>
  readonly superviseEffect: SupervisorApi<Services, RuntimeError>["superviseEffect"]
  readonly supervise: SupervisorApi<Services, RuntimeError>["supervise"]
}
