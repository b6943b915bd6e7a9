/**
 * Which (rule, syscall) pairs reach libseccomp, and what a syscall's action
 * is. This mirrors how libseccomp 2.5 builds its rule database, measured:
 * - a rule whose action equals the default is refused (-EACCES);
 * - the first unconditional rule for a syscall decides every call to it: later
 *   unconditional rules and all conditional rules for it (in any order) are
 *   dropped silently;
 * - two rules with the same conditions and different actions fail (-EEXIST).
 * Making these visible (as `skipped` entries or a `ConflictingRule` error)
 * keeps a policy from saying more than the filter does. The rules come from
 * expand.ts (families, groups, narrow arguments, the floor); only the
 * policy's own rules are reported as skipped.
 */
import { describeAction, sameAction } from "./actions.ts"
import { PolicyError } from "./errors.ts"
import type { FilterRule } from "./expand.ts"
import { expand } from "./expand.ts"
import type { Action, ArgCondition, Policy } from "./model.ts"

/**
 * A rule for one syscall that goes into the filter, with its origin.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { plan } from "./plan.ts"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 *
 * plan(p).added[0]?.origin // { kind: "floor", entry: "tiocsti", reason: "..." }
 * ```
 */
export type PlannedRule = FilterRule

/**
 * A rule for one syscall that is left out of the filter, and why.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.allow("read"), { default: "allow" })
 *
 * const { skipped } = await Effect.runPromise(Effect.provide(compile(p), layer))
 * skipped[0]?.message // 'rules[0] is skipped for "read": its action (allow) is the default action'
 * ```
 */
export interface SkippedRule {
  readonly rule: number
  /** `rules[2].syscalls[0]`. */
  readonly path: string
  readonly syscall: string
  /**
   * `same-as-default`: libseccomp refuses it; `shadowed`: an unconditional rule already decides the syscall;
   * `unknown-syscall`: libseccomp does not know the name and the rule says `unknownSyscalls: "skip"`
   * (or the name came from a family or a systemd group, whose members for other kernels are skipped);
   * `never-matches`: its conditions cannot hold on the bits the kernel reads (e.g. `< 0` on an int).
   */
  readonly reason: "same-as-default" | "shadowed" | "unknown-syscall" | "never-matches"
  readonly message: string
}

/**
 * The rules that reach libseccomp, and those left out.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { plan, type Plan } from "./plan.ts"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 *
 * const { added, skipped }: Plan = plan(p)
 * ```
 */
export interface Plan {
  readonly added: ReadonlyArray<PlannedRule>
  readonly skipped: ReadonlyArray<SkippedRule>
}

const conditionKey = (args: ReadonlyArray<ArgCondition>): string =>
  [...args]
    .sort((a, b) => a.index - b.index)
    .map((c) => `${c.index}${c.op}${"mask" in c ? `${c.mask}:` : ""}${c.value}`)
    .join("&")

const cache = new WeakMap<Policy, Plan>()

/** How messages name a rule: `rules[2]`, or `floor.ptrace`. */
const label = (entry: PlannedRule): string => (entry.rule === undefined ? entry.path : `rules[${entry.rule}]`)

/**
 * Splits a policy's filter rules (expand.ts) into those libseccomp will use
 * and those it would ignore, one entry per (rule, syscall).
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { plan } from "./plan.ts"
 *
 * plan(policy((rule) => rule.allow("read"), { default: "allow" })).skipped[0]?.reason // "same-as-default"
 * ```
 */
export const plan = (policy: Policy): Plan => {
  const cached = cache.get(policy)
  if (cached !== undefined) return cached
  const { entries, never } = expand(policy)
  const candidates: Array<PlannedRule> = []
  const skipped: Array<SkippedRule> = never.map(({ rule, path, syscall }) => ({
    rule,
    path,
    syscall,
    reason: "never-matches",
    message: `rules[${rule}] is skipped for "${syscall}": its conditions can never hold on the bits of the arguments the kernel reads`
  }))
  for (const entry of entries) {
    if (!sameAction(entry.action, policy.default)) candidates.push(entry)
    else if (entry.rule !== undefined) {
      const message = `rules[${entry.rule}] is skipped for "${entry.syscall}": its action (${describeAction(entry.action)}) is the default action`
      skipped.push({ rule: entry.rule, path: entry.path, syscall: entry.syscall, reason: "same-as-default", message })
    }
  }
  const owner = new Map<string, PlannedRule>()
  for (const entry of candidates) {
    if ((entry.args.length === 0 || entry.catchAll === true) && !owner.has(entry.syscall)) owner.set(entry.syscall, entry)
  }
  const added: Array<PlannedRule> = []
  for (const entry of candidates) {
    const decider = owner.get(entry.syscall)
    // A catch-all decides the policy's own rules; the floor's conditional rules stay beside it.
    if (decider === undefined || decider === entry || (decider.catchAll === true && entry.rule === undefined)) added.push(entry)
    else if (entry.rule !== undefined) {
      const yours = decider.rule === undefined ? ` (name "${entry.syscall}" in a rule without conditions to decide it yourself, or switch ${decider.path} off)` : ""
      const message = `rules[${entry.rule}] is skipped for "${entry.syscall}": ${label(decider)} already decides every call to it${yours}`
      skipped.push({ rule: entry.rule, path: entry.path, syscall: entry.syscall, reason: "shadowed", message })
    }
  }
  const result: Plan = { added, skipped }
  cache.set(policy, result)
  return result
}

/**
 * The first pair of rules libseccomp would refuse as conflicting (same syscall and conditions, different action).
 *
 * @example
 * ```ts
 * import { arg, policy } from "kakoi/seccomp"
 * import { findConflict } from "./plan.ts"
 *
 * findConflict(policy((rule) => rule.kill("socket", arg(0).eq(2)).allow("socket", arg(0).eq(1)), { default: "allow" })) // undefined
 * // policy() asks it too: rules[1] with arg(0).eq(2) and another action would throw
 * // 'Invalid seccomp policy at rules[1]: Rule for "socket" repeats the conditions of rules[0] (kill) with a different action'
 * ```
 */
export const findConflict = (policy: Policy): PolicyError | undefined => {
  const seen = new Map<string, PlannedRule>()
  for (const entry of plan(policy).added) {
    const key = `${entry.syscall}|${conditionKey(entry.args)}`
    const first = seen.get(key)
    if (first === undefined) seen.set(key, entry)
    else if (!sameAction(first.action, entry.action)) {
      return new PolicyError({
        reason: "ConflictingRule",
        path: label(entry),
        value: entry.syscall,
        detail: `${label(first)} (${describeAction(first.action)})`
      })
    }
  }
  return undefined
}

/**
 * What the filter does with a call to `syscall` that no argument condition
 * singles out: the deciding unconditional rule's action, else the default.
 * `conditional` lists the conditional rules that may override it for some arguments.
 *
 * @example
 * ```ts
 * import { effectiveAction, policy } from "kakoi/seccomp"
 *
 * effectiveAction(policy((rule) => rule.allow("execve"), { default: "kill" }), "execve").action // { kind: "allow" }
 * ```
 */
export const effectiveAction = (
  policy: Policy,
  syscall: string
): { readonly action: Action; readonly rule: number | undefined; readonly conditional: ReadonlyArray<PlannedRule> } => {
  const entries = plan(policy).added.filter((entry) => entry.syscall === syscall)
  const decider = entries.find((entry) => entry.args.length === 0 || entry.catchAll === true)
  return decider === undefined
    ? { action: policy.default, rule: undefined, conditional: entries }
    : { action: decider.action, rule: decider.rule, conditional: [] }
}
