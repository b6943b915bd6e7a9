/** The exit of a child as data: how it ended, how long it ran, and why when the fence ended it. */
import type { SignalName } from "./signals.ts"

/**
 * Why a child ended when a plugin can tell more than the wait status does:
 * one shape per cause, told apart by `cause`.
 *
 * @example
 * ```ts
 * import { policy, run, seccomp } from "kakoi"
 *
 * const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(policy((rule) => rule.kill("mkdir", "mkdirat"), { default: "allow" }))] })
 * if (result.diagnosis?.cause === "seccomp") result.diagnosis.syscalls // ["mkdir", "mkdirat"]: the calls the filter kills
 * ```
 */
export type Diagnosis = SeccompDiagnosis | LimitDiagnosis | CapabilityDiagnosis | OtherDiagnosis

/**
 * A child the seccomp filter (or a notify handler) ended.
 *
 * @example
 * ```ts
 * import type { SeccompDiagnosis } from "./exit.ts"
 *
 * const sigsys: SeccompDiagnosis = { cause: "seccomp", message: 'Killed by the seccomp filter (SIGSYS): "mkdir" is killed by rules[0]', syscalls: ["mkdir"] }
 * ```
 */
export interface SeccompDiagnosis {
  readonly cause: "seccomp"
  /** One line a person can read, e.g. `Killed by the seccomp filter (SIGSYS): ...`. */
  readonly message: string
  /** Syscalls that may have caused it, when the plugin knows them. */
  readonly syscalls: ReadonlyArray<string>
}

/**
 * A child its cgroup's limit ended: the OOM killer at memory.max
 * ("memory-limit"), or forks refused at pids.max ("pid-limit"). `events` is
 * the count the kernel gave: OOM kills, or refused forks.
 *
 * @example
 * ```ts
 * import type { LimitDiagnosis } from "./exit.ts"
 *
 * const oom: LimitDiagnosis = { cause: "memory-limit", message: "Killed by the cgroup's memory limit (memory.max 512M): the kernel's OOM killer ended it", limit: "512M", events: 1 }
 * ```
 */
export interface LimitDiagnosis {
  readonly cause: "memory-limit" | "pid-limit"
  readonly message: string
  /** The limit as set, e.g. "512M" or "64"; undefined when the cgroup's file was not set by kakoi. */
  readonly limit: string | undefined
  /** memory.events oom_kill, or pids.events max. */
  readonly events: number
}

/**
 * A child that failed after calls that need a capability it does not hold
 * (identity's `diagnoseCapabilities` watch): the first such call, and all of
 * them (at most 64) with the caller's pid.
 *
 * @example
 * ```ts
 * import type { CapabilityDiagnosis } from "./exit.ts"
 *
 * const refused: CapabilityDiagnosis = {
 *   cause: "capability", syscall: "setuid", capability: "CAP_SETUID", calls: [{ syscall: "setuid", capability: "CAP_SETUID", pid: 42 }],
 *   message: 'A call failed for lack of a capability: "setuid" needs CAP_SETUID, which the child does not hold'
 * }
 * ```
 */
export interface CapabilityDiagnosis {
  readonly cause: "capability"
  readonly message: string
  readonly syscall: string
  /** capabilities(7)'s name, e.g. "CAP_SETUID". */
  readonly capability: string
  readonly calls: ReadonlyArray<{ readonly syscall: string; readonly capability: string; readonly pid: number }>
}

/**
 * What the supervisor itself reports: a spawn that failed, a nested supervisor that gave up.
 *
 * @example
 * ```ts
 * import type { OtherDiagnosis } from "./exit.ts"
 *
 * const failed: OtherDiagnosis = { cause: "spawn", message: "spawn ENOENT", syscalls: [] }
 * ```
 */
export interface OtherDiagnosis {
  readonly cause: "spawn" | "supervisor"
  readonly message: string
  readonly syscalls: ReadonlyArray<string>
}

/**
 * How a child ended, as plugins' `exit` hooks see and enrich it.
 *
 * @example
 * ```ts
 * import type { ExitResult } from "./exit.ts"
 *
 * const killed = (exit: ExitResult): boolean => exit.signal === "SIGKILL"
 * ```
 */
export interface ExitResult {
  readonly pid: number
  /** The exit code, or undefined when a signal ended the child. */
  readonly exitCode: number | undefined
  /** The signal that ended the child, or undefined when it exited. */
  readonly signal: SignalName | undefined
  readonly durationMs: number
  readonly diagnosis: Diagnosis | undefined
}
