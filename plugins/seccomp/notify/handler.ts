/**
 * Trap handlers: what a notify rule's handler receives and how it answers.
 * Handlers run in the supervisor, survive the child's execve, and decide the
 * outcome of the call; they are the user-notification counterpart of
 * mruby-seccomp's `Seccomp.on_trap`.
 */
import { type Context, Effect } from "effect"
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
  /**
   * The six argument registers, unsigned. Pointers point into the child's
   * memory: read them with `readString`/`readBytes`, resolve paths with
   * `resolvePath`, and never answer `allow` after reading (TOCTOU).
   */
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
 * - `allow`: the kernel runs the call as is (SECCOMP_USER_NOTIF_FLAG_CONTINUE),
 *   re-reading its pointer arguments from the child's memory. Never allow
 *   after inspecting that memory: the child can change it after you looked
 *   (TOCTOU). Act on what you read instead: `fd` or `return`/`fail`.
 * - `fail`: the call returns -1 with this errno, without running.
 * - `return`: the call returns this value, without running (also the answer of
 *   a call the supervisor performed itself, `answer.emulate`).
 * - `fd`: the call returns a new fd in the child that refers to the
 *   supervisor's open file `fd` (SECCOMP_IOCTL_NOTIF_ADDFD with
 *   SECCOMP_ADDFD_FLAG_SEND, atomically); kakoi closes its own `fd` afterwards,
 *   answered or not.
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
  | { readonly kind: "fd"; readonly fd: number; readonly closeOnExec: boolean }
  | { readonly kind: "kill" }

/**
 * A supervisor-side handler for notified syscalls. It answers with a verdict,
 * a Promise of one, or an Effect that succeeds with one (run by the supervisor;
 * interrupted when the timeout passes). A handler that throws, rejects, fails,
 * dies, or answers later than the timeout denies the call (EPERM unless
 * configured): fail closed. "Later" is measured on the Clock when the answer
 * arrives, so a synchronous handler that blocks past the deadline is denied
 * too, whatever it returns.
 *
 * An Effect handler may need services (`R`): the seccomp plugin then needs
 * them too, and the caller's `runEffect`/`superviseEffect` provides them (the
 * handler runs with the services of the run that launched the child). The
 * type is covariant in `R`: a handler that needs nothing is a handler of any `R`.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { answer, type NotifyHandler } from "kakoi/seccomp"
 *
 * const fakePpid: NotifyHandler = (n) => n.name === "getppid" ? answer.value(4242) : answer.allow()
 * const audited: NotifyHandler = (n) => Effect.as(Effect.logInfo(`${n.pid} ${n.name}`), answer.allow())
 *
 * // A handler that asks the caller's service, which the caller's runEffect provides.
 * class Permits extends Context.Service<Permits, { readonly syscall: (name: string) => boolean }>()("app/Permits") {}
 * const byService: NotifyHandler<Permits> = (n) =>
 *   Effect.gen(function*() {
 *     const permits = yield* Permits
 *     return permits.syscall(n.name) ? answer.allow() : answer.fail("EACCES")
 *   })
 * ```
 */
export type NotifyHandler<R = never> = (notification: Notification) => Verdict | Promise<Verdict> | Effect.Effect<Verdict, unknown, R>

/**
 * `handler` with `context` provided to the Effects it answers with: a handler
 * that needs nothing more, for the listener's session to run. The seccomp
 * plugin captures the context of the run that launches a child
 * (`Effect.context<R>()`), so a handler's services are the caller's, never a
 * default runtime's.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { answer, type NotifyHandler } from "kakoi/seccomp"
 * import { provideHandler } from "./handler.ts"
 *
 * class Quota extends Context.Service<Quota, { readonly left: () => number }>()("app/Quota") {}
 * const handler: NotifyHandler<Quota> = () =>
 *   Effect.gen(function*() {
 *     const quota = yield* Quota
 *     return quota.left() > 0 ? answer.value(0) : answer.fail("EDQUOT")
 *   })
 * const ready: NotifyHandler = provideHandler(handler, Context.make(Quota, { left: () => 1 }))
 * ```
 */
export const provideHandler = <R>(handler: NotifyHandler<R>, context: Context.Context<R>): NotifyHandler => (notification) => {
  const verdict = handler(notification)
  return Effect.isEffect(verdict) ? Effect.provideContext(verdict, context) : verdict
}

/** A result in the kernel's convention: >= 0 succeeded with that value, -errno failed. */
const settled = (result: bigint | number, success: (value: bigint) => Verdict): Verdict => {
  const value = BigInt(result)
  return value < 0n ? { kind: "fail", errno: Number(-value) } : success(value)
}

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
 * answer.emulate(-17) // { kind: "fail", errno: 17 }: what the supervisor's own mkdirat returned
 * answer.fd(5, { closeOnExec: true }) // the child gets its own fd for the supervisor's fd 5
 * answer.kill() // { kind: "kill" }: the exit diagnosis names the syscall
 * ```
 */
export const answer: {
  readonly allow: () => Verdict
  readonly fail: (errno?: ErrnoName | number) => Verdict
  readonly value: (value: bigint | number) => Verdict
  /** The result of a call the supervisor made itself: >= 0 is returned, -errno fails the call with errno. */
  readonly emulate: (result: bigint | number) => Verdict
  /**
   * An fd the supervisor opened, to become the call's result in the child
   * (`closeOnExec`: the child's copy gets FD_CLOEXEC, as O_CLOEXEC asked);
   * a negative value is -errno and fails the call. kakoi owns the fd from here.
   */
  readonly fd: (fd: number, options?: { readonly closeOnExec?: boolean }) => Verdict
  readonly kill: () => Verdict
} = {
  allow: () => ({ kind: "allow" }),
  fail: (errno = "EPERM") => ({ kind: "fail", errno: errnoValue(errno) ?? EPERM }),
  value: (value) => ({ kind: "return", value: BigInt(value) }),
  emulate: (result) => settled(result, (value) => ({ kind: "return", value })),
  fd: (fd, options = {}) => settled(fd, (value) => ({ kind: "fd", fd: Number(value), closeOnExec: options.closeOnExec ?? false })),
  kill: () => ({ kind: "kill" })
}
