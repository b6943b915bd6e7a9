/**
 * Explaining an exit that a cgroup limit caused, from the counts in the
 * child's cgroup (memory.events oom_kill, pids.events max) and the limits
 * kakoi wrote. The wait status alone cannot tell an OOM kill from any other
 * SIGKILL, and a refused fork shows only as the program's own failure: the
 * events can. A clean exit is not explained (the program coped), nor is a
 * SIGSYS (that is the seccomp filter's to explain).
 */
import type { ExitResult, LimitDiagnosis } from "../../../core/exit.ts"
import { type CgroupLimits, type LimitHit, sizeText } from "./limits.ts"

const times = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`

/**
 * The diagnosis for `exit` when `hit` says a limit of `limits` was enforced
 * in the child's cgroup, or undefined when the exit needs none.
 *
 * @example
 * ```ts
 * import { diagnoseLimit } from "./diagnosis.ts"
 *
 * const exit = { pid: 7, exitCode: undefined, signal: "SIGKILL", durationMs: 40, diagnosis: undefined } as const
 * diagnoseLimit(exit, { limit: "memory", events: 1 }, { files: [["memory.max", "536870912"]], controllers: ["memory"] })?.message
 * // "Killed by the cgroup's memory limit (memory.max 512M): the kernel's OOM killer ended it"
 * ```
 */
export const diagnoseLimit = (exit: ExitResult, hit: LimitHit | undefined, limits: CgroupLimits): LimitDiagnosis | undefined => {
  if (hit === undefined || exit.exitCode === 0 || exit.signal === "SIGSYS") return undefined
  const file = hit.limit === "memory" ? "memory.max" : "pids.max"
  const value = limits.files.find(([name]) => name === file)?.[1]
  const limit = value === undefined ? undefined : hit.limit === "memory" ? sizeText(value) : value
  const set = limit === undefined ? "" : ` (${file} ${limit})`
  if (hit.limit === "pids") {
    return { cause: "pid-limit", limit, events: hit.events, message: `The child hit the cgroup's pid limit${set}: fork/clone failed with EAGAIN ${times(hit.events, "time", "times")}` }
  }
  // SIGKILL with an OOM kill counted: the child itself was the victim; otherwise one of its descendants was.
  const message = exit.signal === "SIGKILL"
    ? `Killed by the cgroup's memory limit${set}: the kernel's OOM killer ended it`
    : `The cgroup's memory limit${set} was reached: the kernel's OOM killer killed ${times(hit.events, "process", "processes")} in the child's cgroup`
  return { cause: "memory-limit", limit, events: hit.events, message }
}
