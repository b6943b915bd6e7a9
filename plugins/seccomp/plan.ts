/**
 * Which (rule, syscall) pairs reach libseccomp, and what a syscall's action
 * is. This mirrors how libseccomp 2.5 builds its rule database, measured:
 * - a rule whose action equals the default is refused (-EACCES);
 * - the first unconditional rule for a syscall decides every call to it: later
 *   unconditional rules and all conditional rules for it (in any order) are
 *   dropped silently;
 * - two rules with the same conditions and different actions fail (-EEXIST).
 * Making these visible (as `skipped` entries or a `ConflictingRule` error)
 * keeps a policy from saying more than the filter does.
 */
import { describeAction, sameAction } from "./actions.ts"
import { PolicyError } from "./errors.ts"
import type { Action, ArgCondition, Policy } from "./model.ts"

/** A rule for one syscall that goes into the filter. */
export interface PlannedRule {
  /** Index of the rule in `policy.rules`. */
  readonly rule: number
  /** Index of the syscall in the rule's `syscalls`. */
  readonly position: number
  readonly syscall: string
  readonly action: Action
  readonly args: ReadonlyArray<ArgCondition>
}

/**
 * A rule for one syscall that is left out of the filter, and why.
 *
 * @example
 * ```ts
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
   * `unknown-syscall`: libseccomp does not know the name and the rule says `unknownSyscalls: "skip"`.
   */
  readonly reason: "same-as-default" | "shadowed" | "unknown-syscall"
  readonly message: string
}

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

/**
 * Splits a policy's rules into those libseccomp will use and those it would
 * ignore, one entry per (rule, syscall).
 */
export const plan = (policy: Policy): Plan => {
  const cached = cache.get(policy)
  if (cached !== undefined) return cached
  const candidates: Array<PlannedRule> = []
  const skipped: Array<SkippedRule> = []
  for (const [rule, { action, syscalls, args }] of policy.rules.entries()) {
    // A syscall named twice in one rule is one rule for libseccomp; a Set keeps large allowlists linear.
    const named = new Set<string>()
    for (const [position, syscall] of syscalls.entries()) {
      if (named.has(syscall)) continue
      named.add(syscall)
      const path = `rules[${rule}].syscalls[${position}]`
      if (sameAction(action, policy.default)) {
        const message = `rules[${rule}] is skipped for "${syscall}": its action (${describeAction(action)}) is the default action`
        skipped.push({ rule, path, syscall, reason: "same-as-default", message })
      } else candidates.push({ rule, position, syscall, action, args })
    }
  }
  const owner = new Map<string, PlannedRule>()
  for (const entry of candidates) {
    if (entry.args.length === 0 && !owner.has(entry.syscall)) owner.set(entry.syscall, entry)
  }
  const added: Array<PlannedRule> = []
  for (const entry of candidates) {
    const decider = owner.get(entry.syscall)
    if (decider === undefined || decider === entry) added.push(entry)
    else {
      const message = `rules[${entry.rule}] is skipped for "${entry.syscall}": rules[${decider.rule}] already decides every call to it`
      skipped.push({ rule: entry.rule, path: `rules[${entry.rule}].syscalls[${entry.position}]`, syscall: entry.syscall, reason: "shadowed", message })
    }
  }
  const result: Plan = { added, skipped }
  cache.set(policy, result)
  return result
}

/** The first pair of rules libseccomp would refuse as conflicting (same syscall and conditions, different action). */
export const findConflict = (policy: Policy): PolicyError | undefined => {
  const seen = new Map<string, PlannedRule>()
  for (const entry of plan(policy).added) {
    const key = `${entry.syscall}|${conditionKey(entry.args)}`
    const first = seen.get(key)
    if (first === undefined) seen.set(key, entry)
    else if (!sameAction(first.action, entry.action)) {
      return new PolicyError({
        reason: "ConflictingRule",
        path: `rules[${entry.rule}]`,
        value: entry.syscall,
        detail: `rules[${first.rule}] (${describeAction(first.action)})`
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
 * effectiveAction(policy((rule) => rule.allow("execve"), { default: "kill" }), "execve").action // { kind: "allow" }
 * ```
 */
export const effectiveAction = (
  policy: Policy,
  syscall: string
): { readonly action: Action; readonly rule: number | undefined; readonly conditional: ReadonlyArray<PlannedRule> } => {
  const entries = plan(policy).added.filter((entry) => entry.syscall === syscall)
  const decider = entries.find((entry) => entry.args.length === 0)
  return decider === undefined
    ? { action: policy.default, rule: undefined, conditional: entries }
    : { action: decider.action, rule: decider.rule, conditional: [] }
}
