/**
 * The two error types of the seccomp plugin: `PolicyError` for anything wrong
 * with a policy (found by `policy()`, `decodePolicy` or `compile`), and
 * `SyscallError` for name/number look-ups. Each carries a `reason` and the
 * fields the message is computed from, so callers can branch on data and
 * people read one sentence.
 */
import type { Cause } from "effect"
import { Data } from "effect"
import { didYouMean } from "../../core/suggest.ts"

/**
 * Why a policy was rejected.
 * - `InvalidJson`: the shape is wrong (missing key, wrong type, unexpected key)
 * - `UnknownAction`, `UnknownErrno`, `BadOperator`, `BadArgIndex`, `BadValue`: a field has a bad value
 * - `DuplicateCondition`: one rule compares the same argument twice (libseccomp refuses)
 * - `EmptyRule`: a rule names no syscall
 * - `UnknownSyscall`, `UnknownArch`: libseccomp does not know the name (found by `compile`)
 * - `ConflictingRule`: two rules with the same conditions on a syscall but different actions
 * - `ExecveBlocked`: the launcher could never exec the target under this policy
 * - `HandshakeBlocked`: the policy notifies but denies the `read` that hands its listener to the supervisor
 * - `LibseccompFailed`: libseccomp returned an error kakoi has no better word for
 *
 * @example
 * ```ts
 * if (error.reason === "UnknownSyscall") console.error(error.suggestions)
 * ```
 */
export type PolicyErrorReason =
  | "InvalidJson"
  | "UnknownAction"
  | "UnknownErrno"
  | "BadOperator"
  | "BadArgIndex"
  | "BadValue"
  | "DuplicateCondition"
  | "EmptyRule"
  | "UnknownSyscall"
  | "UnknownArch"
  | "ConflictingRule"
  | "ExecveBlocked"
  | "HandshakeBlocked"
  | "LibseccompFailed"

interface PolicyErrorFields {
  readonly reason: PolicyErrorReason
  /** Where in the policy, as a JSON path (`rules[2].syscalls[0]`); undefined for the policy as a whole. */
  readonly path: string | undefined
  /** The offending value as written (a name, an operator, a number). */
  readonly value?: string | undefined
  /** Closest known names for an unknown one, nearest first. */
  readonly suggestions?: ReadonlyArray<string> | undefined
  /** Extra words the reason needs: the schema's complaint, libseccomp's errno, the other rule. */
  readonly detail?: string | undefined
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const PolicyErrorBase: new (args: PolicyErrorFields) => Cause.YieldableError & {
  readonly _tag: "PolicyError"
} & Readonly<PolicyErrorFields> = Data.TaggedError("PolicyError")

/**
 * A policy kakoi will not compile or run, pointing at the offending part:
 * `path` is where in the policy (`rules[1].args[0].op`), `value` what was
 * written there, `suggestions` the closest known names.
 *
 * @example
 * ```ts
 * try {
 *   policy({ default: "allow", rules: [{ action: "kil", syscalls: ["mkdir"] }] })
 * } catch (error) {
 *   if (error instanceof PolicyError) error.message
 *   // 'Invalid seccomp policy at rules[0].action: Unknown action "kil": did you mean "kill"?'
 * }
 * ```
 */
export class PolicyError extends PolicyErrorBase {
  /** The sentence after the location, e.g. `Unknown syscall "mkdri": did you mean "mkdir"?`. */
  get problem(): string {
    const value = JSON.stringify(this.value ?? "")
    const hint = didYouMean(this.suggestions ?? [])
    switch (this.reason) {
      case "InvalidJson":
        return this.detail ?? "Malformed policy"
      case "UnknownAction":
        return `Unknown action ${value}${hint || (this.detail === undefined ? "" : `: ${this.detail}`)}`
      case "UnknownErrno":
        return `Unknown errno ${value}${hint}`
      case "BadOperator":
        return `Unknown operator ${value}: use one of "==", "!=", "<", "<=", ">", ">=", "masked=="`
      case "BadArgIndex":
        return `Argument index ${this.value ?? "?"} is out of range: use 0 to 5`
      case "BadValue":
        return `Invalid value ${value}: ${this.detail ?? "expected an integer"}`
      case "DuplicateCondition":
        return `Argument ${this.value ?? "?"} is compared twice in one rule: libseccomp allows one condition per argument (${this.detail ?? "split the rule"})`
      case "EmptyRule":
        return "Rule names no syscall"
      case "UnknownSyscall":
        return `Unknown syscall ${value}${hint}`
      case "UnknownArch":
        return `Unknown architecture ${value}${hint}`
      case "ConflictingRule":
        return `Rule for ${value} repeats the conditions of ${this.detail ?? "an earlier rule"} with a different action`
      case "ExecveBlocked":
        return `Policy blocks execve, so the target can never start: allow "execve" (see launcherSyscalls)`
      case "HandshakeBlocked":
        return `Policy has notify rules but denies "read", which the launcher needs to hand the listener to the supervisor: allow or notify "read"`
      case "LibseccompFailed":
        return `libseccomp failed${this.value === undefined ? "" : ` for ${value}`}: ${this.detail ?? "unknown error"}`
    }
  }

  override get message(): string {
    return this.path === undefined ? this.problem : `Invalid seccomp policy at ${this.path}: ${this.problem}`
  }
}

/**
 * Why a syscall look-up failed: an unknown name, number or architecture, or a
 * name libseccomp knows only on other architectures.
 *
 * @example
 * ```ts
 * const reason: SyscallErrorReason = "NotOnArch" // "mkdir" on aarch64
 * ```
 */
export type SyscallErrorReason = "UnknownSyscall" | "UnknownNumber" | "UnknownArch" | "NotOnArch"

interface SyscallErrorFields {
  readonly reason: SyscallErrorReason
  /** The name or number asked for. */
  readonly value: string
  /** The architecture asked for; undefined for the native one. */
  readonly arch: string | undefined
  readonly suggestions: ReadonlyArray<string>
}

const SyscallErrorBase: new (args: SyscallErrorFields) => Cause.YieldableError & {
  readonly _tag: "SyscallError"
} & Readonly<SyscallErrorFields> = Data.TaggedError("SyscallError")

/**
 * A syscall name or number libseccomp cannot resolve for an architecture.
 *
 * @example
 * ```ts
 * const exit = await Effect.runPromiseExit(Effect.provide(syscallNumber("mkdri"), layer))
 * // fails with SyscallError: 'Unknown syscall "mkdri": did you mean "mkdir"?'
 * ```
 */
export class SyscallError extends SyscallErrorBase {
  override get message(): string {
    const on = this.arch === undefined ? "" : ` on ${this.arch}`
    const hint = didYouMean(this.suggestions)
    switch (this.reason) {
      case "UnknownSyscall":
        return `Unknown syscall ${JSON.stringify(this.value)}${on}${hint}`
      case "UnknownNumber":
        return `Unknown syscall number ${this.value}${on}`
      case "UnknownArch":
        return `Unknown architecture ${JSON.stringify(this.value)}${hint}`
      case "NotOnArch":
        return `Syscall ${JSON.stringify(this.value)} does not exist on ${this.arch ?? "this architecture"}`
    }
  }
}
