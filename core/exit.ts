/** The exit of a child as data: how it ended, how long it ran, and why when the fence ended it. */
import type { SignalName } from "./signals.ts"

/**
 * Why a child ended when a plugin can tell more than the wait status does.
 *
 * @example
 * ```ts
 * import { policy, run, seccomp } from "kakoi"
 *
 * const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(policy((rule) => rule.kill("mkdir", "mkdirat"), { default: "allow" }))] })
 * result.diagnosis?.cause // "seccomp"
 * result.diagnosis?.syscalls // ["mkdir", "mkdirat"]: the calls the filter kills
 * ```
 */
export interface Diagnosis {
  /** Which fence ended the child: "seccomp" for the seccomp filter. */
  readonly cause: string
  /** One line a person can read, e.g. `Killed by the seccomp filter (SIGSYS): ...`. */
  readonly message: string
  /** Syscalls that may have caused it, when the plugin knows them. */
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
