/**
 * Trap handlers: what a notify rule's handler receives and how it answers.
 * Handlers run in the supervisor, survive the child's execve, and decide the
 * outcome of the call; they are the user-notification counterpart of
 * mruby-seccomp's `Seccomp.on_trap`.
 */
import type { Effect } from "effect"
import { errnoValue, type ErrnoName } from "../../../core/errno.ts"
import { errno } from "../../../core/arch/generic.ts"

const { EPERM } = errno

/**
 * One notified syscall, as the kernel reported it (struct seccomp_notif).
 *
 * @example
 * ```ts
 * const log = (n: Notification) => console.error(`${n.pid} ${n.name}(${n.args.join(", ")}) by rules[${n.rule}]`)
 * ```
 */
export interface Notification {
  /** The kernel's cookie for this call; ids exceed 2^53, hence bigint. */
  readonly id: bigint
  /** The calling thread's pid in the supervisor's pid namespace (a grandchild has its own). */
  readonly pid: number
  /** The syscall number for `arch`. */
  readonly syscall: number
  /** The syscall's name for `arch` (libseccomp's), or the number as text when unknown. */
  readonly name: string
  /** AUDIT_ARCH_* value (0xc000003e for x86_64), which libseccomp also uses as arch token. */
  readonly arch: number
  /** The six argument registers, unsigned. Pointers point into the child's memory: read them with `readString`/`readBytes`. */
  readonly args: readonly [bigint, bigint, bigint, bigint, bigint, bigint]
  readonly instructionPointer: bigint
  /**
   * Index in `policy.rules` of the notify rule that matched; undefined when the
   * default action notified. Found from the syscall and its arguments: when
   * several notify rules' conditions hold, the first one in policy order.
   */
  readonly rule: number | undefined
}

/**
 * A handler's answer.
 * - `allow`: the kernel runs the call as is (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *   Never allow on what a pointer argument points to: the child can change
 *   that memory after you look (the kernel's TOCTOU warning).
 * - `fail`: the call returns -1 with this errno, without running.
 * - `return`: the call returns this value, without running.
 * - `kill`: the call does not run; the child is killed (SIGKILL to its process
 *   group when it leads one, and to the caller), and its exit diagnosis names
 *   this syscall and rule: a kill that says why, unlike SIGSYS.
 *
 * @example
 * ```ts
 * const verdict: Verdict = { kind: "fail", errno: 1 }
 * ```
 */
export type Verdict =
  | { readonly kind: "allow" }
  | { readonly kind: "fail"; readonly errno: number }
  | { readonly kind: "return"; readonly value: bigint }
  | { readonly kind: "kill" }

/**
 * A supervisor-side handler for notified syscalls. It answers with a verdict,
 * a Promise of one, or an Effect that succeeds with one (run by the supervisor;
 * interrupted when the timeout passes). A handler that throws, rejects, fails,
 * dies, or answers later than the timeout denies the call (EPERM unless
 * configured): fail closed.
 *
 * @example
 * ```ts
 * const fakePpid: NotifyHandler = (n) => n.name === "getppid" ? answer.value(4242) : answer.allow()
 * const audited: NotifyHandler = (n) => Effect.as(Effect.logInfo(`${n.pid} ${n.name}`), answer.allow())
 * ```
 */
export type NotifyHandler = (notification: Notification) => Verdict | Promise<Verdict> | Effect.Effect<Verdict, unknown>

/**
 * Builders for verdicts.
 *
 * @example
 * ```ts
 * import { answer } from "kakoi/seccomp"
 *
 * answer.allow() // { kind: "allow" }
 * answer.fail("EACCES") // { kind: "fail", errno: 13 }
 * answer.value(4242) // { kind: "return", value: 4242n }
 * answer.kill() // { kind: "kill" }: the exit diagnosis names the syscall
 * ```
 */
export const answer: {
  readonly allow: () => Verdict
  readonly fail: (errno?: ErrnoName | number) => Verdict
  readonly value: (value: bigint | number) => Verdict
  readonly kill: () => Verdict
} = {
  allow: () => ({ kind: "allow" }),
  fail: (errno = "EPERM") => ({ kind: "fail", errno: errnoValue(errno) ?? EPERM }),
  value: (value) => ({ kind: "return", value: BigInt(value) }),
  kill: () => ({ kind: "kill" })
}
