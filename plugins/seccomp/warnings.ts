/**
 * What a valid policy may not mean, said as warnings (compile's `warnings`,
 * printed by the CLI): an unconditional rule that denies one member of a
 * syscall family while the policy allows another (`--errno EPERM:mkdir` leaves `mkdirat` working),
 * conditions on arguments of unknown width, denying rules that can never hold,
 * calls of other ABIs let through unfiltered, and `errno 0` (the call "succeeds"
 * without running).
 */
import { describeAction } from "./actions.ts"
import { familiesOf, familyMembers, familyPrefix } from "./families.ts"
import type { Action, Policy } from "./model.ts"
import { effectiveAction } from "./plan.ts"
import { expand } from "./expand.ts"
import { argWidth } from "./widths.ts"

/**
 * One warning: where in the policy, and what to do about it.
 *
 * @example
 * ```ts
 * import type { PolicyWarning } from "kakoi/seccomp"
 *
 * const w: PolicyWarning = { path: "rules[0]", message: 'rules[0] denies "mkdir" but "mkdirat" is allowed (by the default action): deny "family:mkdir" to cover both' }
 * ```
 */
export interface PolicyWarning {
  readonly path: string | undefined
  readonly message: string
}

const runs = (action: Action): boolean => action.kind === "allow" || action.kind === "log"

const familyWarnings = (policy: Policy): Array<PolicyWarning> => {
  const found: Array<PolicyWarning> = []
  for (const [rule, { action, syscalls, args }] of policy.rules.entries()) {
    // A conditional rule is about its arguments, which sit elsewhere in the other members (open's flags are openat's arg 2).
    if (runs(action) || args.length > 0) continue
    const warned = new Set<string>()
    for (const name of syscalls) {
      for (const family of familiesOf(name)) {
        if (warned.has(family)) continue
        for (const member of familyMembers(family) ?? []) {
          if (member === name || syscalls.includes(member)) continue
          const effective = effectiveAction(policy, member)
          if (!runs(effective.action)) continue
          warned.add(family)
          const by = effective.rule === undefined ? "the default action" : `rules[${effective.rule}]`
          found.push({
            path: `rules[${rule}]`,
            message: `rules[${rule}] denies "${name}" but "${member}" of the same family is allowed (${describeAction(effective.action)}, by ${by}): deny "${familyPrefix}${family}" to cover every member`
          })
          break
        }
      }
    }
  }
  return found
}

/**
 * Conditions kakoi cannot size: on a syscall the width table does not know, with no `width`, the
 * argument is compared on all 64 bits, and garbage above an int's 32 would slip past the rule.
 */
const widthWarnings = (policy: Policy): Array<PolicyWarning> => {
  const found: Array<PolicyWarning> = []
  const seen = new Set<string>()
  for (const entry of expand(policy).entries) {
    if (entry.origin.kind !== "user") continue
    const { rule } = entry.origin
    const key = `${rule}|${entry.syscall}`
    if (seen.has(key)) continue
    seen.add(key)
    const unsized = (policy.rules[rule]?.args ?? []).filter((condition) => condition.width === undefined && argWidth(entry.syscall, condition.index) === undefined)
    const [first] = unsized
    if (first === undefined) continue
    found.push({
      path: `rules[${rule}].args`,
      message: `rules[${rule}] compares argument ${first.index} of "${entry.syscall}", whose width kakoi's table does not know: it is compared on all 64 bits, so if the kernel reads an int there, a caller can set the high half to slip past the rule; say "width": 32 (or 64) in the condition`
    })
  }
  return found
}

/** A denying rule that can never hold is left out of the filter: say so, not only in `skipped`. */
const neverWarnings = (policy: Policy): Array<PolicyWarning> =>
  expand(policy).never.filter(({ rule }) => !runs(policy.rules[rule]?.action ?? policy.default)).map(({ rule, syscall }) => ({
    path: `rules[${rule}].args`,
    message: `rules[${rule}] can never hold for "${syscall}" on the bits the kernel reads (comparisons are unsigned but for pid arguments), so it denies nothing: for a negative int, test its sign bit with masked== 0x80000000`
  }))

/**
 * Every warning for a policy, in policy order.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { warnings } from "./warnings.ts"
 *
 * warnings(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" }))[0]?.message
 * // 'rules[0] denies "mkdir" but "mkdirat" of the same family is allowed (allow, by the default action): deny "family:mkdir" to cover every member'
 * ```
 */
export const warnings = (policy: Policy): ReadonlyArray<PolicyWarning> => {
  const found = [...familyWarnings(policy), ...widthWarnings(policy), ...neverWarnings(policy)]
  const { badArch } = policy.attributes
  if (badArch !== undefined && runs(badArch)) {
    found.push({ path: "attributes.badArch", message: `badArch is ${describeAction(badArch)}: calls of other ABIs (e.g. i386 "int 0x80") run without any rule of this policy` })
  }
  const zero = (action: Action): boolean => action.kind === "errno" && action.errno === 0
  if (zero(policy.default)) found.push({ path: "default", message: "the default action is errno 0: every call no rule matches returns 0 (success) without running" })
  for (const [rule, { action, syscalls }] of policy.rules.entries()) {
    if (zero(action)) found.push({ path: `rules[${rule}]`, message: `rules[${rule}] is errno 0: ${syscalls.map((name) => `"${name}"`).join(", ")} return 0 (success) without running` })
  }
  return found
}
