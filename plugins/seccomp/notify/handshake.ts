/**
 * The parent's half of the listener handshake (the child's half is its
 * program: announce, install, one `read`). Why pidfd_getfd and not SCM_RIGHTS:
 * a listener sent with sendmsg needs the child to make that call after the
 * filter is in force, which hangs forever if the policy notifies sendmsg
 * (nobody holds the listener yet to answer it). pidfd_getfd takes the fd from
 * the outside while the child sleeps in a read, so nothing the policy notifies can stall it,
 * and the policy gains no rule. The cost: it needs ptrace rights over the
 * child (given to a parent under Yama scope 1 and to root; Docker's default
 * profile blocks it without CAP_SYS_PTRACE), reported as a typed error.
 */
import { Effect } from "effect"
import { errno } from "../../../core/arch/generic.ts"
import type { LaunchingChild } from "../../../core/plugin.ts"
import { NotifyError } from "./errors.ts"
import { listenerLink, type ListenerSystem } from "./system.ts"

const { EPERM, ESRCH, EBADF, EACCES, ENOSYS } = errno
/** The child announces the install a moment before it makes it: poll for the listener this often. */
const retryMs = 1

/** True once the child announced its listener, false if it did not within the time. */
const announced = (child: LaunchingChild, timeoutMs: number, signal: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => {
    let done = false
    let stop: (() => void) | undefined
    const finish = (seen: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      stop?.()
      resolve(seen)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    signal.addEventListener("abort", () => finish(false))
    stop = child.whenInstallingListener(() => finish(true))
    if (done) stop()
  })

const failure = (errno: number, call: string): NotifyError =>
  errno === EPERM || errno === EACCES
    ? new NotifyError({ reason: "ListenerDenied", subject: call, errno })
    : errno === ESRCH
    ? new NotifyError({ reason: "ListenerLost", subject: call, errno, detail: "the child ended before its listener could be fetched" })
    : new NotifyError({ reason: "ListenerUnavailable", subject: call, errno, ...(errno === ENOSYS ? { detail: "this kernel has no pidfd_getfd (Linux 5.6+)" } : {}) })

/** Takes the listener out of the child once it is installed; `deadline` in Date.now() terms. */
const takeListener = async (system: ListenerSystem, pidfd: number, fd: number, deadline: number, signal: AbortSignal): Promise<number | NotifyError> => {
  for (;;) {
    const copy = system.pidfdGetfd(pidfd, fd)
    if (copy >= 0) {
      if (system.fdTarget(copy) === listenerLink) return copy
      system.close(copy)
    } else if (copy !== -EBADF) return failure(-copy, "pidfd_getfd")
    if (Date.now() > deadline || signal.aborted) {
      return new NotifyError({ reason: "ListenerLost", subject: "pidfd_getfd", detail: `no seccomp listener appeared at the child's fd ${fd}` })
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs))
  }
}

/**
 * Fetches a launching child's listener into this process: waits for the
 * child's announcement on the control channel, then pidfd_getfd through its
 * pidfd until the filter is in (checking it really is a seccomp listener).
 * The caller then tells the child to go on. Fails with a `NotifyError`; the
 * lifecycle then kills the child.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { LaunchingChild } from "../../../core/plugin.ts"
 * import type { ListenerSystem } from "./system.ts"
 *
 * declare const system: ListenerSystem
 * declare const child: LaunchingChild
 * const program = Effect.gen(function*() {
 *   const listener = yield* fetchListener(system, child, 5000) // the listener's fd in this process
 *   return listener
 * })
 * ```
 */
export const fetchListener = (system: ListenerSystem, child: LaunchingChild, timeoutMs: number): Effect.Effect<number, NotifyError> =>
  Effect.flatMap(
    Effect.promise(async (signal): Promise<number | NotifyError> => {
      const deadline = Date.now() + timeoutMs
      if (!(await announced(child, timeoutMs, signal))) {
        return new NotifyError({ reason: "ListenerLost", subject: "control channel", detail: "the child never announced its listener" })
      }
      return takeListener(system, child.pidfd, child.listenerFd, deadline, signal)
    }),
    (result) => (typeof result === "number" ? Effect.succeed(result) : Effect.fail(result))
  )
