/**
 * The child's fd numbers and the parent fds the program maps onto them:
 * stdio 0-2, the control channel 3, the listener (and every transient fd a
 * rule opens) 4, the supervisor fds steps name 5 to 9. Every source is a
 * parent fd >= 10, so no dup3 onto 0..9 clobbers a source still to be mapped.
 */
import type { PreExecStep } from "../steps.ts"
import { ProgramError } from "./errors.ts"

/**
 * The fd the control channel gets in the child.
 *
 * @example
 * ```ts
 * controlFd // 3
 * ```
 */
export const controlFd = 3
/**
 * The fd the notify listener gets: the lowest free one after close_range(4..).
 *
 * @example
 * ```ts
 * listenerFd // 4
 * ```
 */
export const listenerFd = 4
/** The lowest parent fd the program may map, so no dup3 onto 0..9 clobbers a later source. */
const lowestSourceFd = 10
/**
 * Where supervisor fds named by steps go: above the listener's 4, below every source.
 *
 * @example
 * ```ts
 * firstPassedFd // 5
 * ```
 */
export const firstPassedFd: number = listenerFd + 1

/**
 * `fd`, or a ProgramError naming `subject` unless it is a parent fd the program may map (10 to 65535).
 *
 * @example
 * ```ts
 * sourceFd(12, "stdio[0]") // 12
 * ```
 */
export const sourceFd = (fd: number, subject: string): number => {
  if (!Number.isInteger(fd) || fd < lowestSourceFd || fd > 0xffff) throw new ProgramError({ reason: "BadFd", subject, detail: `got ${fd}` })
  return fd
}

/**
 * The supervisor fds the steps name (a Landlock ruleset, a cgroup.procs), each
 * with the child's number for it (5, 6, ...: above the listener's 4 and below
 * every source, so no dup3 clobbers a later one) and the last step to use it,
 * which closes it. A ProgramError for a bad or colliding fd, or too many.
 *
 * @example
 * ```ts
 * import type { PreExecStep } from "../steps.ts"
 *
 * const steps: ReadonlyArray<PreExecStep> = [{ kind: "landlock", rulesetFd: 14 }]
 * passedFds(steps, (step) => step.kind, [10, 11, 12, 13]).get(14)?.fd // 5
 * ```
 */
export const passedFds = (
  steps: ReadonlyArray<PreExecStep>,
  at: (step: PreExecStep) => string,
  taken: ReadonlyArray<number>
): ReadonlyMap<number, { readonly fd: number; readonly last: PreExecStep }> => {
  const passed = new Map<number, { readonly fd: number; readonly last: PreExecStep }>()
  for (const step of steps) {
    const [parentFd, field] = step.kind === "join-cgroup" ? [step.procsFd, "procsFd"] : step.kind === "landlock" && step.rulesetFd !== undefined ? [step.rulesetFd, "rulesetFd"] : []
    if (parentFd === undefined) continue
    const subject = `${at(step)}.${field}`
    sourceFd(parentFd, subject)
    if (taken.includes(parentFd)) throw new ProgramError({ reason: "BadFd", subject, detail: `fd ${parentFd} is the child's stdio or control channel` })
    const fd = passed.get(parentFd)?.fd ?? firstPassedFd + passed.size
    if (fd >= lowestSourceFd) throw new ProgramError({ reason: "Conflict", subject, detail: `at most ${lowestSourceFd - firstPassedFd} supervisor fds per child` })
    passed.set(parentFd, { fd, last: step })
  }
  return passed
}

