/**
 * Turns a fence step that failed in the child (the launcher's failure record:
 * its stage, a step's kind, and errno; or the clone's own errno for the
 * namespaces in `ChildProgram.cloneFlags`, as "user-namespace" or
 * "pid-namespace") into the typed error that names the missing capability.
 * A step refused with EPERM that needs a capability the supervisor does not
 * hold (`capabilities`, its CapEff; outside a user namespace the child has
 * only what the supervisor has) names that capability. Steps whose failure
 * says nothing about the host stay PreExecFailed.
 */
import { FenceError, type Fence } from "./errors.ts"
import { errno as errnos } from "../../core/arch/generic.ts"
import { capabilityConstants } from "../seccomp/formats/capabilities.ts"
import { holds } from "./capabilities.ts"

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
 * explainFenceFailure("ids", 1, 0, 0n, "uid 65534")?.path // "CAP_SETUID"
 * ```
 */
export const explainFenceFailure = (stage: string, errno: number, euid: number, capabilities?: bigint, subject = ""): FenceError | undefined => {
  const unsupported = (path: string, detail: string, hint: string): FenceError => new FenceError({ reason: "Unsupported", fence: "containment", path, detail, hint, errno })
  const refused = errno === EPERM ? capabilityRefusal(stage, subject, euid, capabilities) : undefined
  if (refused !== undefined) return refused
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
      // Name the call: the stage covers the clone, the init's own calls and the child's unshare.
      if (errno === EINVAL) return unsupported("namespaces", `the kernel does not offer a namespace asked for (${subject === "" ? stage : subject} failed with EINVAL)`, "run kakoi doctor")
      return undefined
    case "landlock":
      return errno === ENOSYS || errno === EOPNOTSUPP ? new FenceError({ reason: "Unsupported", fence: "landlock", path: "Landlock", detail: "the kernel has no Landlock", hint: "run kakoi doctor", errno }) : undefined
    case "join-cgroup":
      return errno === EACCES || errno === EPERM ? new FenceError({ reason: "NoDelegation", fence: "cgroup", path: "cgroup.procs", detail: "the child may not join its cgroup", hint: "run the supervisor in a delegated cgroup", errno }) : undefined
    default:
      return undefined
  }
}

/** The capability each step kind needs of its namespace's owner, and the fence it belongs to. */
const needs = (stage: string, subject: string): readonly [capability: string, fence: Fence, what: string] | undefined => {
  switch (stage) {
    case "user-namespace":
    case "pid-namespace":
    case "unshare":
      return ["CAP_SYS_ADMIN", "containment", "creating namespaces without a user namespace"]
    case "mount":
    case "mount-attributes":
    case "mount-point":
    case "tmpfs":
    case "pivot-root":
      return ["CAP_SYS_ADMIN", "mounts", "mounting the child's filesystem"]
    case "hostname":
      return ["CAP_SYS_ADMIN", "sandbox", "setting the hostname"]
    case "loopback-up":
      return ["CAP_NET_ADMIN", "network", "bringing lo up"]
    case "drop-bounding":
      return ["CAP_SETPCAP", "identity", "clearing the bounding set"]
    case "groups":
      return ["CAP_SETGID", "identity", "setting the groups"]
    case "ids":
      return subject.startsWith("uid") ? ["CAP_SETUID", "identity", `running as ${subject}`] : ["CAP_SETGID", "identity", `running as ${subject}`]
    default:
      return undefined
  }
}

/**
 * EPERM from a step whose capability a root supervisor does not hold (a
 * container that dropped it): outside a user namespace that is the cause.
 * A non-root supervisor's child has its namespaces' capabilities, so its
 * EPERM means something else; so does one where the supervisor holds it.
 */
const capabilityRefusal = (stage: string, subject: string, euid: number, capabilities: bigint | undefined): FenceError | undefined => {
  const need = needs(stage, subject)
  if (need === undefined || capabilities === undefined || euid !== 0) return undefined
  const [capability, fence, what] = need
  if (holds(capabilities, capabilityConstants.indexOf(capability as (typeof capabilityConstants)[number]))) return undefined
  return new FenceError({
    reason: "Unsupported", fence, path: capability, errno: EPERM,
    detail: `${what} needs ${capability}, which the supervisor (uid 0) does not hold`,
    hint: `give the supervisor ${capability} (e.g. docker run --cap-add ${capability.slice(4)}), or ${fence === "containment" ? 'choose containment: "process-group"' : "leave the option out"}`
  })
}
