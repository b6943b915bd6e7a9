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
 * - `OverlappingRules`: two rules for a syscall may hold for one call, one lets it run and the other
 *   not, and libseccomp would not let the stricter decide (see plan.ts)
 * - `ExecveBlocked`: the launcher could never exec the target under this policy
 * - `HandshakeBlocked`: the policy notifies but denies the `read` that hands its listener to the supervisor
 * - `DuplicateKey`: a JSON object names a key twice (JSON.parse would keep only the last)
 * - `BadSyscallName`: a name holds characters no syscall name has (a NUL, a space, ...)
 * - `UnknownFamily`, `UnknownGroup`: a `family:` or `@group` name kakoi does not know
 * - `ValueTooWide`: a value does not fit the argument, which the kernel reads as fewer than 64 bits
 * - `BadWidth`: a condition's `width` is not 32 or 64, or contradicts what the kernel reads
 * - `TooComplex`: a rule's narrow-argument ranges split into more filter rules than kakoi allows
 * - `MultiplexedArgs`: argument conditions on a call another ABI multiplexes (i386 socketcall, ipc)
 * - `TwinArgs`: a condition on an argument the call's twin on another ABI lays out differently (i386 truncate64)
 * - `FloorConflict`: a rule would let a call the floor denies through (see floor.ts)
 * - `UnacknowledgedBadArch`: `badArch` lets other ABIs' calls run, without the acknowledgement
 * - `TooLarge`: the filter has more instructions than the kernel loads (4096)
 * - `LibseccompFailed`: libseccomp returned an error kakoi has no better word for
 * - `Unsupported`: the input asks for something kakoi cannot enforce or evaluate here (a Docker
 *   profile's `listenerPath`, a flag kakoi does not implement, host facts it cannot read)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 *
 * const typo = policy((rule) => rule.errno("EPERM", "mkdri"), { default: "allow" })
 * const error = await Effect.runPromise(Effect.flip(Effect.provide(compile(typo), layer)))
 * if (error._tag === "PolicyError" && error.reason === "UnknownSyscall") console.error(error.suggestions) // ["mkdir"]
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
  | "OverlappingRules"
  | "ExecveBlocked"
  | "HandshakeBlocked"
  | "DuplicateKey"
  | "BadSyscallName"
  | "UnknownFamily"
  | "UnknownGroup"
  | "ValueTooWide"
  | "BadWidth"
  | "TooComplex"
  | "MultiplexedArgs"
  | "TwinArgs"
  | "FloorConflict"
  | "UnacknowledgedBadArch"
  | "TooLarge"
  | "LibseccompFailed"
  | "Unsupported"

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
  /** The file the policy was read from, when it came from one. */
  readonly file?: string | undefined
}

/** Characters of a value quoted in a message: a huge name must not make a huge message. */
const quotedPrefix = 40

/**
 * A value for a message: JSON-quoted (so a NUL shows as `\u0000`), at most a
 * short prefix of it, with the full length when cut.
 *
 * @example
 * ```ts
 * import { quote } from "./errors.ts"
 *
 * quote("mkdir\u0000x") // '"mkdir\\u0000x"'
 * quote("a".repeat(100000)) // '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" (100000 characters)': the first 40, then the length
 * ```
 */
export const quote = (value: string): string =>
  value.length <= quotedPrefix ? JSON.stringify(value) : `${JSON.stringify(`${value.slice(0, quotedPrefix)}…`)} (${value.length} characters)`

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
 * import { policy, PolicyError } from "kakoi/seccomp"
 *
 * try {
 *   // Untyped input, as from JSON.parse (typed input would not compile with the typo).
 *   policy(JSON.parse('{"default": "allow", "rules": [{"action": "kil", "syscalls": ["mkdir"]}]}'))
 * } catch (error) {
 *   if (error instanceof PolicyError) error.message
 *   // 'Invalid seccomp policy at rules[0].action: Unknown action "kil": did you mean "kill"?'
 * }
 * ```
 */
export class PolicyError extends PolicyErrorBase {
  /** The sentence after the location, e.g. `Unknown syscall "mkdri": did you mean "mkdir"?`. */
  get problem(): string {
    const value = quote(this.value ?? "")
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
      case "OverlappingRules":
        return `Rules for ${value} overlap: ${this.detail ?? "two rules with different actions hold for one call"}`
      case "ExecveBlocked":
        return `Policy blocks execve, so the target can never start: allow "execve" (see launcherSyscalls)`
      case "HandshakeBlocked":
        return `Policy has notify rules but denies "read", which the launcher needs to hand the listener to the supervisor: allow or notify "read"`
      case "DuplicateKey":
        return `Key ${value} appears twice in one object${this.detail === undefined ? "" : ` (${this.detail})`}: JSON keeps only the last, so write it once`
      case "BadSyscallName":
        return `Invalid syscall name ${value}: ${this.detail ?? "syscall names are letters, digits and underscores"}`
      case "UnknownFamily":
        return `Unknown syscall family ${value}${hint || `: use one of ${this.detail ?? "the families in families.ts"}`}`
      case "UnknownGroup":
        return `Unknown syscall group ${value}${hint || `: use one of ${this.detail ?? "the groups in groups.ts"}`}`
      case "ValueTooWide":
        return `Value ${this.value ?? "?"} does not fit: ${this.detail ?? "the kernel reads this argument as fewer than 64 bits"}`
      case "BadWidth":
        return `Invalid width ${this.value ?? "?"}: ${this.detail ?? "use 32 or 64"}`
      case "TooComplex":
        return `Rule for ${value} is too complex: ${this.detail ?? "split it"}`
      case "MultiplexedArgs":
        return `Rule for ${value} compares arguments the filter cannot see on ${this.detail ?? "another ABI"}`
      case "TwinArgs":
        return `Rule for ${value} compares ${this.detail ?? "an argument its twin on another ABI lays out differently"}`
      case "FloorConflict":
        return `Rule for ${value} would let through what the floor denies: ${this.detail ?? "see the floor"}`
      case "UnacknowledgedBadArch":
        return `badArch ${value} lets every call of another ABI (e.g. i386 "int 0x80" on x86_64) run unfiltered: use "kill", or add "acknowledgeUnfilteredAbis": true to the attributes if you mean it`
      case "TooLarge":
        return `Filter has ${this.value ?? "?"} BPF instructions, more than the kernel's limit of 4096: ${this.detail ?? "use optimize: 2, families or groups, or fewer rules"}`
      case "LibseccompFailed":
        return `libseccomp failed${this.value === undefined ? "" : ` for ${value}`}: ${this.detail ?? "unknown error"}`
      case "Unsupported":
        return `Unsupported${this.value === undefined ? "" : ` ${value}`}: ${this.detail ?? "kakoi cannot enforce it"}`
    }
  }

  override get message(): string {
    const file = this.file === undefined ? "" : ` in ${JSON.stringify(this.file)}`
    if (this.path === undefined) return file === "" ? this.problem : `Invalid seccomp policy${file}: ${this.problem}`
    return `Invalid seccomp policy${file} at ${this.path}: ${this.problem}`
  }
}

/**
 * Why a syscall look-up failed: an unknown name, number or architecture, or a
 * name libseccomp knows only on other architectures.
 *
 * @example
 * ```ts
 * import type { SyscallErrorReason } from "kakoi/seccomp"
 *
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
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { syscallNumber } from "kakoi/seccomp"
 *
 * const error = await Effect.runPromise(Effect.flip(Effect.provide(syscallNumber("mkdri"), layer)))
 * error.message // 'Unknown syscall "mkdri": did you mean "mkdir"?'
 * ```
 */
export class SyscallError extends SyscallErrorBase {
  override get message(): string {
    const on = this.arch === undefined ? "" : ` on ${this.arch}`
    const hint = didYouMean(this.suggestions)
    switch (this.reason) {
      case "UnknownSyscall":
        return `Unknown syscall ${quote(this.value)}${on}${hint}`
      case "UnknownNumber":
        return `Unknown syscall number ${this.value}${on}`
      case "UnknownArch":
        return `Unknown architecture ${quote(this.value)}${hint}`
      case "NotOnArch":
        return `Syscall ${quote(this.value)} does not exist on ${this.arch ?? "this architecture"}`
    }
  }
}
