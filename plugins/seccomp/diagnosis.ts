/**
 * Explaining a SIGSYS exit. The kernel does not say which syscall a seccomp
 * filter stopped (short of the audit log), so this lists the candidates the
 * policy makes knowable: syscalls of kill, kill-thread and trap rules, "a
 * syscall not allowed" when the default action itself kills or traps, and a
 * call of another ABI (i386 `int 0x80` on x86_64), which the filter kills
 * unless `badArch` says otherwise: named when the policy kills or traps
 * nothing else (then it is the likely cause; beside other candidates it would
 * only lengthen every message).
 */
import type { SeccompDiagnosis } from "../../core/exit.ts"
import type { Action, Policy } from "./model.ts"
import type { PlannedRule } from "./plan.ts"
import { plan } from "./plan.ts"

/**
 * The diagnosis for a child a notify handler killed (`answer.kill()`): here
 * the cause is known exactly, syscall and rule.
 *
 * @example
 * ```ts
 * import { diagnoseNotifyKill } from "kakoi/seccomp"
 *
 * diagnoseNotifyKill({ name: "uname", syscall: 63, rule: 0, pid: 42 }).message
 * // 'Killed by a seccomp notify handler: "uname" (63) by rules[0], called by pid 42'
 * ```
 */
export const diagnoseNotifyKill = (call: { readonly name: string; readonly syscall: number; readonly rule: number | undefined; readonly pid: number }): SeccompDiagnosis => {
  const by = call.rule === undefined ? "the default action" : `rules[${call.rule}]`
  return { cause: "seccomp", message: `Killed by a seccomp notify handler: "${call.name}" (${call.syscall}) by ${by}, called by pid ${call.pid}`, syscalls: [call.name] }
}

/** Names shown per rule before "and N more". */
const shownPerRule = 6

const stops = (action: Action): string | undefined =>
  action.kind === "kill" ? "killed" : action.kind === "kill-thread" ? "killed (thread)" : action.kind === "trap" ? "trapped" : undefined

const quoteList = (names: ReadonlyArray<string>): string => {
  const shown = names.slice(0, shownPerRule).map((name) => JSON.stringify(name))
  const more = names.length - shown.length
  if (more > 0) return `${shown.join(", ")} and ${more} more`
  const last = shown.pop()
  return shown.length === 0 ? `${last}` : `${shown.join(", ")} or ${last}`
}

/**
 * The diagnosis for a child the kernel ended with SIGSYS under `policy`.
 * It names candidates, not a culprit: with several candidates any of them (or
 * another filter stacked on the process) may be the cause.
 *
 * @example
 * ```ts
 * import { diagnoseSigsys, policy } from "kakoi/seccomp"
 *
 * diagnoseSigsys(policy((rule) => rule.kill("mkdir"), { default: "allow" })).message
 * // 'Killed by the seccomp filter (SIGSYS): "mkdir" is killed by rules[0]'
 * ```
 */
export const diagnoseSigsys = (policy: Policy): SeccompDiagnosis => {
  const byRule = new Map<string, Array<PlannedRule>>()
  for (const entry of plan(policy).added) {
    if (stops(entry.action) === undefined) continue
    const by = entry.rule === undefined ? entry.path : `rules[${entry.rule}]`
    byRule.set(by, [...(byRule.get(by) ?? []), entry])
  }
  const parts: Array<string> = []
  const syscalls: Array<string> = []
  for (const [by, entries] of byRule) {
    // A narrow condition splits into several filter rules for one syscall: name it once.
    const names = [...new Set(entries.map((entry) => entry.syscall))]
    syscalls.push(...names)
    const [first] = entries
    if (first === undefined) continue
    const when = first.args.length === 0 ? "" : " when its argument conditions hold"
    parts.push(`${quoteList(names)} ${names.length === 1 ? "is" : "are"} ${stops(first.action)} by ${by}${when}`)
  }
  const byDefault = stops(policy.default)
  if (byDefault !== undefined) parts.push(`a syscall no rule allows is ${byDefault} by the default action`)
  // libseccomp's default for another ABI's calls is to kill the thread.
  const otherAbi = policy.attributes.badArch === undefined ? "killed" : stops(policy.attributes.badArch)
  const abi = policy.arches.length === 0 ? 'another ABI (e.g. i386 "int 0x80" on x86_64)' : "an ABI the policy's arches do not list"
  const unique = [...new Set(syscalls)]
  if (otherAbi !== undefined && parts.length === 0) {
    return { cause: "seccomp", message: `Killed by the seccomp filter (SIGSYS): a call of ${abi} is ${otherAbi} by badArch; this policy kills or traps nothing else`, syscalls: [] }
  }
  if (parts.length === 0) {
    return {
      cause: "seccomp",
      message: "Killed by SIGSYS (Bad system call), but this seccomp policy neither kills nor traps any syscall: another seccomp filter or the program itself may have raised it",
      syscalls: []
    }
  }
  const last = parts.pop()
  const reasons = parts.length === 0 ? last : `${parts.join(", ")}, or ${last}`
  return { cause: "seccomp", message: `Killed by the seccomp filter (SIGSYS): ${reasons}`, syscalls: unique }
}
