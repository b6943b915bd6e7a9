/**
 * Containment levels (issue 10): how kakoi makes sure every descendant of a
 * child lives and dies with it.
 * The default, "namespaces", is every child's unless it chooses (core/containment.ts).
 * - "namespaces": the child runs as pid 1's child of its own pid
 *   namespace (inside a user namespace that maps the supervisor's uid and gid
 *   to themselves when the supervisor is not root) and inside a Landlock
 *   domain, so it can ptrace and (ABI 6) signal only its own tree; when the
 *   namespace's init ends, the kernel kills everything left in it.
 * - "cgroup": a cgroup per child beneath the supervisor's delegated cgroup,
 *   ended with cgroup.kill; descendants cannot leave it without write access
 *   to another cgroup.
 * - "process-group": today's behaviour: a process group and a parent-death
 *   signal. A descendant that calls setsid(), double-forks into another group
 *   or clears its parent-death signal escapes.
 * A level the host cannot give is a typed error (see `explainFenceFailure`),
 * never a silent step down; a weaker level is only ever chosen explicitly.
 */
import { Effect, Result } from "effect"
import { containmentLevels, type ContainmentLevel } from "../../core/containment.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { decoded, oneOf } from "./decode.ts"
import type { FenceError } from "./errors.ts"
import { createRuleset, type Ruleset } from "./landlock/ruleset.ts"
import { type FenceHost, type FencePlan, type FencePlugin, emptyPlan, fencePlugin, inNamespaces } from "./plugin.ts"
import { cgroupPlanner } from "./cgroup/plugin.ts"
import { freshProc } from "./mounts/plan.ts"
import { constants } from "../../core/arch/generic.ts"

/** Mounts made later on the host still reach the child; the child's own never reach the host. */
const followHostMounts: PreExecStep = { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(constants.MS_REC | constants.MS_SLAVE), data: undefined }

/**
 * The steps of "namespaces": the pid namespace and its init (which forwards
 * every signal it gets to the target), in a user namespace when not root, the
 * Landlock domain the program compiler requires beside an init, and a mount
 * namespace whose /proc is the child's pid namespace's: `/proc/$$` and `ps`
 * then mean the child's own processes (the host's /proc would show the
 * supervisor's numbers, where the child's pid 2 is someone else), and the
 * supervisor's entries are not even there. It is mounted hidepid=ptraceable,
 * which leaves out every process the child may not ptrace: its init, outside
 * its Landlock domain. The init shares the supervisor's memory, and some of
 * its files have no ptrace check: a write to /proc/1/oom_score_adj set the
 * supervisor's (the kernel sets it on every process sharing that memory) and
 * /proc/1/coredump_filter is the memory's own.
 */
const namespaceSteps = (host: FenceHost, ruleset: Ruleset): ReadonlyArray<PreExecStep> =>
  inNamespaces(host, [
    { kind: "pid-namespace" },
    { kind: "landlock", rulesetFd: ruleset.fd },
    { kind: "unshare", namespaces: ["mount"] },
    followHostMounts,
    freshProc("/proc")
  ])

/**
 * A planner for one level; "cgroup" uses the supervisor's cgroup, or `parent`.
 *
 * @example
 * ```ts
 * import { containmentPlanner } from "./containment.ts"
 *
 * const plan = containmentPlanner(undefined)
 * ```
 */
export const containmentPlanner = (parent: string | undefined): ((level: ContainmentLevel, host: FenceHost) => Result.Result<FencePlan, FenceError>) => {
  const cgroups = cgroupPlanner(parent)
  let ruleset: Ruleset | undefined
  // The steps of "namespaces" for the last host: the same for every child, so made once (and the same data again
  // for the program cache to compare).
  let namespaced: { readonly host: FenceHost; readonly steps: ReadonlyArray<PreExecStep> } | undefined
  return (level, host) => {
    switch (level) {
      case "process-group":
        return Result.succeed(emptyPlan)
      case "namespaces": {
        // A domain scopes ptrace (any ABI) and signals and abstract sockets (ABI 6) to the child's tree.
        // Without one the init (which shares the supervisor's memory) could be ptraced: no Landlock, no level.
        if (ruleset === undefined) {
          const built = createRuleset(host.kernel, { filesystem: undefined, network: undefined, scopes: ["signal", "abstract-unix-socket"], bestEffort: true })
          if (Result.isFailure(built)) return Result.fail(built.failure)
          ruleset = built.success
        }
        if (namespaced?.host !== host) namespaced = { host, steps: Object.freeze(namespaceSteps(host, ruleset)) }
        return Result.succeed({ steps: namespaced.steps, release: () => {} })
      }
      case "cgroup":
        return cgroups({ files: [], controllers: [] }, host)
    }
  }
}

/**
 * The containment plugin: puts every child (and so all its descendants) at `level`.
 *
 * @example
 * ```ts
 * import { containment } from "./containment.ts"
 *
 * const plugins = [containment("namespaces")]
 * ```
 */
export const containment = (level: ContainmentLevel, cgroupParent?: string): FencePlugin => {
  const plugin: FencePlugin = {
    ...fencePlugin("containment", "containment", decoded(() => oneOf(level, { fence: "containment", path: "containment" }, containmentLevels)), containmentPlanner(cgroupParent)),
    decidesContainment: true
  }
  // "process-group" plans nothing for any child (no step, nothing held, nothing to diagnose at the exit), so its
  // per-child hooks would only keep books on empty plans: every such spawn skips them. A failed start is still
  // explained (`failed`), as at every level.
  if (level !== "process-group") return plugin
  return { ...plugin, spawn: (spec) => Effect.succeed(spec), preExec: () => Effect.succeed(emptyPlan.steps), exec: () => Effect.void, exit: (exit) => Effect.succeed(exit) }
}

export { containmentLevels, type ContainmentLevel }
