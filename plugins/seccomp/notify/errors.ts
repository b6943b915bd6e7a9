/** The typed error of the notify plumbing: a child whose listener cannot reach the supervisor never runs. */
import type { Cause } from "effect"
import { Data } from "effect"
import { errnoText } from "../../../core/errno.ts"

/**
 * Why a notify policy could not be supervised.
 * - `Unsupported`: the runtime's layer provides no listener system (no notify loop on it)
 * - `ListenerDenied`: pidfd_getfd needs ptrace rights over the child (EPERM)
 * - `ListenerUnavailable`: the kernel lacks pidfd_open/pidfd_getfd (ENOSYS) or refused otherwise
 * - `ListenerLost`: the child ended, or the listener did not appear in time
 *
 * @example
 * ```ts
 * const reason: NotifyErrorReason = "ListenerDenied"
 * ```
 */
export type NotifyErrorReason = "Unsupported" | "ListenerDenied" | "ListenerUnavailable" | "ListenerLost"

interface NotifyErrorFields {
  readonly reason: NotifyErrorReason
  /** The runtime or the call concerned, e.g. "bun" or "pidfd_getfd". */
  readonly subject: string
  readonly errno?: number | undefined
  readonly detail?: string | undefined
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const NotifyErrorBase: new (args: NotifyErrorFields) => Cause.YieldableError & {
  readonly _tag: "NotifyError"
} & Readonly<NotifyErrorFields> = Data.TaggedError("NotifyError")

/**
 * A policy with notify rules whose listener cannot reach the supervisor: the
 * child is killed before it execs, never left to run unsupervised.
 *
 * @example
 * ```ts
 * new NotifyError({ reason: "ListenerDenied", subject: "pidfd_getfd", errno: 1 }).message
 * // 'Cannot supervise notify rules: pidfd_getfd failed with EPERM (Operation not permitted): ...'
 * ```
 */
export class NotifyError extends NotifyErrorBase {
  override get message(): string {
    const failed = `${this.subject} failed${this.errno === undefined ? "" : ` with ${errnoText(this.errno)}`}`
    switch (this.reason) {
      case "Unsupported":
        return `Cannot supervise notify rules on ${this.subject}: ${this.detail ?? "its layer provides no listener system"}`
      case "ListenerDenied":
        return `Cannot supervise notify rules: ${failed}: fetching the child's listener needs ptrace rights over it (in Docker's default seccomp profile, CAP_SYS_PTRACE)`
      case "ListenerUnavailable":
        return `Cannot supervise notify rules: ${failed}${this.detail === undefined ? "" : `: ${this.detail}`}`
      case "ListenerLost":
        return `Cannot supervise notify rules: ${this.detail ?? "the child's listener was lost"}`
    }
  }
}

/**
 * Why a handler could not read the child's memory.
 * - `Gone`: the notification is no longer pending (the caller died, was
 *   interrupted, or was already answered), so what was read, if anything,
 *   may come from another process that reused the pid: discarded
 * - `Unreadable`: the address is not mapped readable in the child (EFAULT),
 *   e.g. a NULL or non-pointer argument
 * - `Denied`: the supervisor may not read the child's memory (EPERM: needs
 *   ptrace rights, as pidfd_getfd does)
 * - `Unterminated`: no NUL within the string's `maxBytes`
 * - `Detached`: the notification did not come from a supervisor's listener
 *   (one built by hand), so there is no child memory to read
 *
 * @example
 * ```ts
 * const reason: MemoryReadErrorReason = "Gone"
 * ```
 */
export type MemoryReadErrorReason = "Gone" | "Unreadable" | "Denied" | "Unterminated" | "Detached"

interface MemoryReadErrorFields {
  readonly reason: MemoryReadErrorReason
  readonly pid: number
  readonly address: bigint
  /** Bytes asked for (for a string: its `maxBytes`). */
  readonly length: number
  readonly errno?: number | undefined
}

const MemoryReadErrorBase: new (args: MemoryReadErrorFields) => Cause.YieldableError & {
  readonly _tag: "MemoryReadError"
} & Readonly<MemoryReadErrorFields> = Data.TaggedError("MemoryReadError")

/**
 * A handler's read of the child's memory failed. Thrown by `readBytes` and
 * `readString`; a handler that lets it escape denies the call (fail closed).
 *
 * @example
 * ```ts
 * new MemoryReadError({ reason: "Unreadable", pid: 4242, address: 0n, length: 4096, errno: 14 }).message
 * // 'Cannot read 4096 bytes at 0x0 in pid 4242: EFAULT (Bad address): not mapped readable in the child'
 * ```
 */
export class MemoryReadError extends MemoryReadErrorBase {
  override get message(): string {
    const what = `Cannot read ${this.length} bytes at 0x${this.address.toString(16)} in pid ${this.pid}`
    const errno = this.errno === undefined ? "" : `: ${errnoText(this.errno)}`
    switch (this.reason) {
      case "Gone":
        return `${what}${errno}: the notification is no longer pending (the call ended, or the pid may be reused)`
      case "Unreadable":
        return `${what}${errno}: not mapped readable in the child`
      case "Denied":
        return `${what}${errno}: reading another process's memory needs ptrace rights over it`
      case "Unterminated":
        return `${what}: no NUL terminator within ${this.length} bytes`
      case "Detached":
        return `${what}: the notification did not come from a supervisor's listener`
    }
  }
}

/**
 * Why `resolvePath` could not say what a call's path argument names.
 * - `Unresolvable`: the kernel refused a step (`errno`: ENOENT, ENOTDIR,
 *   ELOOP, EBADF for a dirfd the child has not open, ...); the call itself
 *   would most likely have failed the same way: answer `answer.fail(error.errno)`
 * - `Gone`: the notification is no longer pending (the caller died or was
 *   interrupted), so /proc/<pid> may describe another process
 * - `Procfs`: the path leads into /proc, where "self" would be the
 *   supervisor: the supervisor never acts there on a child's behalf
 * - `Detached`: the notification did not come from a supervisor's listener
 *
 * @example
 * ```ts
 * import type { PathErrorReason } from "kakoi/seccomp"
 *
 * const reason: PathErrorReason = "Unresolvable"
 * ```
 */
export type PathErrorReason = "Unresolvable" | "Gone" | "Procfs" | "Detached"

interface PathErrorFields {
  readonly reason: PathErrorReason
  readonly pid: number
  /** The path as the child passed it ("" when it was not read: `Detached`). */
  readonly path: string
  /** What to fail the call with: the kernel's errno for `Unresolvable`, else EACCES or ESRCH. */
  readonly errno: number
}

const PathErrorBase: new (args: PathErrorFields) => Cause.YieldableError & {
  readonly _tag: "PathError"
} & Readonly<PathErrorFields> = Data.TaggedError("PathError")

/**
 * A handler's `resolvePath` failed. A handler that lets it escape denies the
 * call with `notify.errno`; `answer.fail(error.errno)` passes the kernel's errno on.
 *
 * @example
 * ```ts
 * import { PathError } from "kakoi/seccomp"
 *
 * new PathError({ reason: "Unresolvable", pid: 4242, path: "nope/x", errno: 2 }).message
 * // 'Cannot resolve "nope/x" for pid 4242: ENOENT (No such file or directory)'
 * ```
 */
export class PathError extends PathErrorBase {
  override get message(): string {
    const what = `Cannot resolve ${this.path === "" ? "a path" : JSON.stringify(this.path)} for pid ${this.pid}`
    switch (this.reason) {
      case "Unresolvable":
        return `${what}: ${errnoText(this.errno)}`
      case "Gone":
        return `${what}: the notification is no longer pending (the call ended, or the pid may be reused)`
      case "Procfs":
        return `${what}: it leads into /proc, where the supervisor never acts for a child ("self" would be the supervisor)`
      case "Detached":
        return `${what}: the notification did not come from a supervisor's listener`
    }
  }
}
