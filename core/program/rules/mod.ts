/**
 * The compile rules of the preExec steps (core/steps.ts), one file per
 * family: each step kind as the ops the child runs for it. A new step kind is
 * a new case here; a kind without one is a type error (the `never` below).
 * The pid-namespace init and the seccomp installs change the program's shape
 * rather than adding ops in place: compile.ts and init.ts place them.
 */
import type { PreExecStep } from "../../steps.ts"
import type { RuleContext, RuleOp } from "./context.ts"
import { identityOps } from "./identity.ts"
import { passedFdOps } from "./landlock.ts"
import { mountOps } from "./mounts.ts"
import { namespaceOps } from "./namespaces.ts"
import { plainOps } from "./plain.ts"

export { refuseNul, type RuleContext, type RuleOp } from "./context.ts"
export { filterProgram } from "./seccomp.ts"

/**
 * A step compiled in place.
 *
 * @example
 * ```ts
 * const step: InPlaceStep = { kind: "chdir", path: "/srv" }
 * ```
 */
export type InPlaceStep = Exclude<PreExecStep, { kind: "seccomp" | "pid-namespace" }>

/**
 * The ops of one step compiled in place.
 *
 * @example
 * ```ts
 * declare const context: RuleContext
 * stepOps(context, { kind: "setsid" }).length // 1
 * ```
 */
export const stepOps = (context: RuleContext, step: InPlaceStep): ReadonlyArray<RuleOp> => {
  switch (step.kind) {
    case "rlimit":
    case "chdir":
    case "umask":
    case "setsid":
    case "no-new-privs":
      return plainOps(context, step)
    case "user-namespace":
    case "unshare":
    case "hostname":
    case "loopback-up":
      return namespaceOps(context, step)
    case "mount":
    case "mount-attributes":
    case "mount-point":
    case "symlink":
    case "tmpfs":
    case "pivot-root":
      return mountOps(context, step)
    case "drop-bounding":
    case "groups":
    case "ids":
    case "clear-capabilities":
      return identityOps(context, step)
    case "landlock":
    case "join-cgroup":
      return passedFdOps(context, step)
    default:
      return step satisfies never
  }
}
