/**
 * The cgroup() plugin: a cgroup v2 per child beneath the supervisor's
 * delegated cgroup (or `parent`), with memory, swap, pid and CPU limits. The
 * child joins it itself before execve (so nothing it runs is ever outside);
 * on release the cgroup is killed and removed; `limitHit` tells whether a
 * limit ended the child (OOM kill vs a plain SIGKILL).
 */
import { Result } from "effect"
import type { FenceError } from "../errors.ts"
import { type FenceHost, type FencePlan, type FencePlugin, fencePlugin } from "../plugin.ts"
import { type CgroupLimitOptions, type CgroupLimits, decodeLimits } from "./limits.ts"
import { type CgroupManager, type ChildCgroup, openCgroupManager } from "./manager.ts"

/**
 * One child's cgroup plan.
 *
 * @example
 * ```ts
 * import type { CgroupPlan } from "./plugin.ts"
 *
 * declare const plan: CgroupPlan
 * plan.cgroup.limitHit() // "memory" after an OOM kill
 * ```
 */
export interface CgroupPlan extends FencePlan {
  readonly cgroup: ChildCgroup
}

/**
 * A planner that opens the manager on first use.
 *
 * @example
 * ```ts
 * import { cgroupPlanner } from "./plugin.ts"
 *
 * const plan = cgroupPlanner(undefined)
 * ```
 */
export const cgroupPlanner = (parent: string | undefined): ((limits: CgroupLimits, host: FenceHost) => Result.Result<CgroupPlan, FenceError>) => {
  let manager: CgroupManager | undefined
  return (limits, host) => {
    if (manager === undefined) {
      const opened = openCgroupManager(host.kernel, parent)
      if (Result.isFailure(opened)) return Result.fail(opened.failure)
      manager = opened.success
    }
    return Result.map(manager.create(limits), ({ cgroup }) => ({
      cgroup,
      steps: [{ kind: "join-cgroup", procsFd: cgroup.procsFd, path: `${cgroup.path}/cgroup.procs` }],
      release: () => void cgroup.remove(),
      owns: (pid) => cgroup.pids().includes(pid)
    }))
  }
}

/**
 * Limits for every child, each in its own cgroup.
 *
 * @example
 * ```ts
 * import { cgroup } from "./plugin.ts"
 *
 * const limits = cgroup({ memory: "512M", pids: 64, cpu: 1 })
 * ```
 */
export const cgroup = (limits: CgroupLimitOptions, parent?: string): FencePlugin =>
  fencePlugin("cgroup", "cgroup", decodeLimits(limits), cgroupPlanner(parent))
