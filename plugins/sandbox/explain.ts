/**
 * Turns a fence step that failed in the child (the launcher's failure record:
 * its stage, a step's kind, and errno; or the clone's own errno for the
 * namespaces in `ChildProgram.cloneFlags`, as "user-namespace" or
 * "pid-namespace") into the typed error that names the missing capability.
 * Steps whose failure says nothing about the host stay PreExecFailed.
 */
import { FenceError } from "./errors.ts"
import { errno as errnos } from "../../core/arch/generic.ts"

const { EPERM, EACCES, EINVAL, ENOSPC, ENOSYS, EOPNOTSUPP } = errnos

/**
 * The FenceError for a failed step (`LaunchFailure.stage`: the step's kind, or
 * "user-namespace"/"pid-namespace" for a clone refused with those flags),
 * or undefined when the errno is not a host limit.
 *
 * @example
 * ```ts
 * import { explainFenceFailure } from "./explain.ts"
 *
 * explainFenceFailure("unshare", 1, 1000)?.reason // "Unsupported"
 * ```
 */
export const explainFenceFailure = (stage: string, errno: number, euid: number): FenceError | undefined => {
  const unsupported = (path: string, detail: string, hint: string): FenceError => new FenceError({ reason: "Unsupported", fence: "containment", path, detail, hint, errno })
  switch (stage) {
    case "user-namespace":
    case "pid-namespace":
    case "unshare":
      if (errno === ENOSPC) return unsupported("user namespaces", "the user or pid namespace limit is reached (or user.max_user_namespaces is 0)", "raise user.max_user_namespaces, or choose containment: \"process-group\"")
      if (errno === EPERM || errno === EACCES) {
        return unsupported(euid === 0 ? "namespaces" : "user namespaces", euid === 0
          ? "creating namespaces is refused (an outer container's seccomp profile or an LSM)"
          : "unprivileged user namespaces are refused (a sysctl, AppArmor's restriction, or an outer container's seccomp profile)", "run kakoi doctor to see which, or choose containment: \"process-group\"")
      }
      if (errno === EINVAL) return unsupported("namespaces", "the kernel does not offer a namespace asked for", "run kakoi doctor")
      return undefined
    case "landlock":
      return errno === ENOSYS || errno === EOPNOTSUPP ? new FenceError({ reason: "Unsupported", fence: "landlock", path: "Landlock", detail: "the kernel has no Landlock", hint: "run kakoi doctor", errno }) : undefined
    case "join-cgroup":
      return errno === EACCES || errno === EPERM ? new FenceError({ reason: "NoDelegation", fence: "cgroup", path: "cgroup.procs", detail: "the child may not join its cgroup", hint: "run the supervisor in a delegated cgroup", errno }) : undefined
    default:
      return undefined
  }
}
