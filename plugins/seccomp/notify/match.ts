/**
 * Which notify rule a notification came from. The kernel only says "notify";
 * kakoi finds the rule again from the syscall and its arguments, the way the
 * filter decided (plugins/seccomp/plan.ts says which rules reach the filter).
 */
import type { ArgCondition, Policy } from "../model.ts"
import { plan } from "../plan.ts"

/**
 * Whether a condition holds for a call's arguments, compared as unsigned
 * 64-bit words (the filter's compiled conditions are already on the bits the kernel reads).
 *
 * @example
 * ```ts
 * holds({ index: 0, op: "==", value: 2n }, [2n]) // true
 * ```
 */
export const holds = (condition: ArgCondition, args: ReadonlyArray<bigint>): boolean => {
  const value = args[condition.index] ?? 0n
  switch (condition.op) {
    case "==":
      return value === condition.value
    case "!=":
      return value !== condition.value
    case "<":
      return value < condition.value
    case "<=":
      return value <= condition.value
    case ">":
      return value > condition.value
    case ">=":
      return value >= condition.value
    case "masked==":
      return (value & condition.mask) === condition.value
  }
}

/**
 * The index of the notify rule that sent `syscall` with `args` to the
 * supervisor, or undefined when the default action did. When several notify
 * rules' conditions hold, the first in policy order is named (the filter's
 * outcome is the same for all of them). Arguments compare as unsigned 64-bit.
 *
 * @example
 * ```ts
 * matchRule(policy((rule) => rule.allow("read").notify("getppid"), { default: "allow" }), "getppid", [0n, 0n, 0n, 0n, 0n, 0n]) // 1
 * ```
 */
export const matchRule = (policy: Policy, syscall: string, args: ReadonlyArray<bigint>): number | undefined =>
  plan(policy).added.find((entry) =>
    entry.syscall === syscall && entry.action.kind === "notify" && entry.args.every((condition) => holds(condition, args))
  )?.rule

/**
 * Whether a policy can notify at all (a notify rule reaches the filter, or the default notifies).
 *
 * @example
 * ```ts
 * notifies(policy({ default: "notify" })) // true
 * ```
 */
export const notifies = (policy: Policy): boolean =>
  policy.default.kind === "notify" || plan(policy).added.some((entry) => entry.action.kind === "notify")
