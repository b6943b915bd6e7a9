/**
 * The policy model: what a validated, immutable seccomp policy is. Everything
 * else (the DSL, the JSON format, compile, the plugin) reads or produces these
 * types; `policy()` is the only way to make a `Policy`.
 */
import type { ErrnoName } from "../../core/errno.ts"
import type { Floor } from "./floor.ts"

/**
 * Actions that take no parameter. `kill` ends the whole process; `kill-thread` only the calling thread.
 *
 * @example
 * ```ts
 * const kind: SimpleActionKind = "trap"
 * ```
 */
export type SimpleActionKind = "allow" | "kill" | "kill-thread" | "trap" | "log" | "notify"

/**
 * What the filter does with a syscall, as data.
 * - `allow`: run it
 * - `kill`: kill the process with SIGSYS (SCMP_ACT_KILL_PROCESS)
 * - `kill-thread`: kill the calling thread with SIGSYS (SCMP_ACT_KILL)
 * - `trap`: send SIGSYS to the thread (the default disposition ends the process)
 * - `errno`: fail the call with this errno, without running it
 * - `log`: run it and log it to the audit log
 * - `notify`: ask a supervisor over a seccomp listener fd
 * - `trace`: notify a ptrace tracer with this message value (ENOSYS without a tracer)
 *
 * @example
 * ```ts
 * const deny: Action = { kind: "errno", errno: 1 } // EPERM
 * ```
 */
export type Action =
  | { readonly kind: SimpleActionKind }
  | { readonly kind: "errno"; readonly errno: number }
  | { readonly kind: "trace"; readonly value: number }

/**
 * An action as people write it: a name, or an object for the actions that take
 * a value. `"kill-process"` is accepted as another name for `"kill"`.
 *
 * @example
 * ```ts
 * const a: ActionInput = "kill"
 * const b: ActionInput = { errno: "EPERM" }
 * const c: ActionInput = { trace: 7 }
 * ```
 */
export type ActionInput =
  | SimpleActionKind
  | "kill-process"
  | { readonly errno: ErrnoName | number }
  | { readonly trace: number }

/**
 * An argument position of a syscall: libseccomp compares at most six.
 *
 * @example
 * ```ts
 * const flags: ArgIndex = 2 // openat(dirfd, path, flags, mode)
 * ```
 */
export type ArgIndex = 0 | 1 | 2 | 3 | 4 | 5

/**
 * Plain comparisons of an argument with a value, unsigned 64-bit.
 *
 * @example
 * ```ts
 * const op: CompareOperator = ">="
 * ```
 */
export type CompareOperator = "==" | "!=" | "<" | "<=" | ">" | ">="

/**
 * Every operator, `masked==` being `(arg & mask) == value`.
 *
 * @example
 * ```ts
 * const op: Operator = "masked=="
 * ```
 */
export type Operator = CompareOperator | "masked=="

/**
 * The width a condition states for its argument: 32 compares the low 32 bits
 * (what the kernel reads of an `int`), 64 all of them. Only needed where kakoi's
 * table of argument widths (widths.ts) has no entry; a width that contradicts
 * the table is an error.
 *
 * @example
 * ```ts
 * const width: StatedWidth = 32
 * ```
 */
export type StatedWidth = 32 | 64

/**
 * A condition on one syscall argument; values are unsigned 64-bit (negative
 * inputs were wrapped to two's complement by `policy()`). Arguments the kernel
 * reads as 32 (or 16) bits are compared on those bits only, so high-bit garbage
 * cannot slip past a rule: compile turns such a condition into masked
 * comparisons (see narrow.ts).
 *
 * @example
 * ```ts
 * const inet: ArgCondition = { index: 0, op: "==", value: 2n }
 * const rdonly: ArgCondition = { index: 1, op: "masked==", mask: 3n, value: 0n }
 * const narrow: ArgCondition = { index: 0, op: "==", value: 2n, width: 32 }
 * ```
 */
export type ArgCondition =
  | { readonly index: ArgIndex; readonly op: CompareOperator; readonly value: bigint; readonly width?: StatedWidth }
  | { readonly index: ArgIndex; readonly op: "masked=="; readonly mask: bigint; readonly value: bigint; readonly width?: StatedWidth }

/**
 * One rule: an action for some syscalls (names, `family:NAME` families or
 * systemd `@group`s), taken when every condition holds.
 * libseccomp applies the first unconditional rule for a syscall and lets it
 * override every conditional one; `compile` reports the rules this shadows.
 *
 * @example
 * ```ts
 * const rule: Rule = { action: { kind: "errno", errno: 13 }, syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2n }] }
 * ```
 */
export interface Rule {
  readonly action: Action
  readonly syscalls: ReadonlyArray<string>
  readonly args: ReadonlyArray<ArgCondition>
  /** For notify rules: the key of the supervisor-side handler (see `SeccompOptions.handlers`). */
  readonly handler?: string
  /**
   * `"skip"`: names libseccomp does not know are left out (listed in `skipped`)
   * instead of failing compile, as OCI runtimes do with Docker profiles that name
   * newer syscalls. Only allow and log rules take it: leaving a name out of them narrows.
   */
  readonly unknownSyscalls?: "skip"
  readonly comment?: string
}

/**
 * Filter attributes.
 * - `noNewPrivs` (default true): the launcher sets PR_SET_NO_NEW_PRIVS before installing the
 *   filter; without it an unprivileged process may not install one at all
 * - `log` (default false): log every action except allow (SCMP_FLTATR_CTL_LOG)
 * - `optimize` (default 1): 2 builds a binary tree of syscalls, faster for large rule sets
 * - `badArch` (default: libseccomp's kill-thread): the action for calls from another ABI
 * - `acknowledgeUnfilteredAbis` (default false): required for a `badArch` that lets
 *   such calls run (allow, log), since they then pass every rule unfiltered
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 *
 * policy({ default: "allow", attributes: { optimize: 2 } }).attributes
 * // { noNewPrivs: true, log: false, optimize: 2, badArch: undefined, acknowledgeUnfilteredAbis: false }
 * ```
 */
export interface Attributes {
  readonly noNewPrivs: boolean
  readonly log: boolean
  readonly optimize: 1 | 2
  readonly badArch: Action | undefined
  readonly acknowledgeUnfilteredAbis: boolean
}

/**
 * A validated, deeply frozen seccomp policy. Make one with `policy()` or
 * `decodePolicy()`; compile it with `compile()` or run children under it with
 * the `seccomp()` plugin.
 *
 * @example
 * ```ts
 * import { policy, type Policy } from "kakoi/seccomp"
 *
 * const p: Policy = policy((rule) => rule.kill("mkdir"), { default: "allow" })
 * p.rules[0]?.action // { kind: "kill" }
 * ```
 */
export interface Policy {
  readonly default: Action
  readonly rules: ReadonlyArray<Rule>
  readonly attributes: Attributes
  /** Extra architectures (libseccomp names, e.g. "x86"); the native one is always included. */
  readonly arches: ReadonlyArray<string>
  /** The floor entries this policy keeps (floor.ts); all of them unless it says otherwise. */
  readonly floor: Floor
}

/**
 * Attribute values when the policy does not say.
 *
 * @example
 * ```ts
 * import { defaultAttributes } from "kakoi/seccomp"
 *
 * defaultAttributes.noNewPrivs // true
 * ```
 */
export const defaultAttributes: Attributes = Object.freeze({ noNewPrivs: true, log: false, optimize: 1, badArch: undefined, acknowledgeUnfilteredAbis: false })
