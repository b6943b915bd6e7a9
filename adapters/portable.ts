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

export type RunOptions<E = unknown> = RunOptionsOf<E, Services>

/** A running child started by `spawn`, with web streams. */
export type Child = ChildOf<WebIo>

/** Failures only some runtimes have: Deno's missing permissions. */
export type RuntimeError = DenoPermissionError

/** The portable adapter API: what `kakoi` exports besides the plugins and errors (documented on `AdapterApi`). */
export type Adapter = Omit<AdapterApi<WebIo, RuntimeError>, "host">
