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
