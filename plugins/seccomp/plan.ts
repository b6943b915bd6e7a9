/**
 * Which (rule, syscall) pairs reach libseccomp, and what a syscall's action
 * is. kakoi's rule: the strictest rule that holds for a call decides it
 * (deny wins, whatever the order of the rules). libseccomp 2.5 builds its
 * rule database otherwise, measured:
 * - a rule whose action equals the default is refused (-EACCES);
 * - the first unconditional rule for a syscall decides every call to it: later
 *   unconditional rules and all conditional rules for it (in any order) are
 *   dropped silently;
 * - of overlapping conditional rules, the shape of its tree picks one;
 * - two rules with the same conditions and different actions fail (-EEXIST).
 * So plan picks the rules that make libseccomp's filter follow kakoi's rule,
 * lists what it leaves out (`skipped`), and refuses (`OverlappingRules`,
 * `ConflictingRule`) what no choice of rules would make hold, so a policy
 * never says more than the filter does. The rules come from
 * expand.ts (families, groups, narrow arguments, the floor); only the
 * policy's own rules are reported as skipped.
 */
import { describeAction, outcome, sameAction, strictness } from "./actions.ts"
import { PolicyError } from "./errors.ts"
import type { FilterRule } from "./expand.ts"
import { expand } from "./expand.ts"
import type { Action, ArgCondition, Policy } from "./model.ts"
import { mayOverlap } from "./overlap.ts"

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

/** How messages name a rule with its action: `rules[2] (errno EACCES)`. */
const named = (entry: PlannedRule): string => `${label(entry)} (${describeAction(entry.action)})`

const overlapping = (syscall: string, lenient: PlannedRule, strict: PlannedRule, detail: string): PolicyError =>
  new PolicyError({ reason: "OverlappingRules", path: label(strict), value: syscall, detail: `${named(strict)} and ${named(lenient)} ${detail}` })

/** Whether `entry` and `other` may both hold for one call while libseccomp picks either (a lenient one equal to the default is dropped, and the strict one then decides). */
const ambiguous = (policy: Policy, a: PlannedRule, b: PlannedRule): boolean => {
  if (outcome(a.action) === outcome(b.action) || a.rule === undefined || b.rule === undefined) return false
  const lenient = strictness(a.action) < strictness(b.action) ? a : b
  return !sameAction(lenient.action, policy.default) && mayOverlap(a.args, b.args)
}

/**
 * The rules for one syscall that reach libseccomp, so that the strictest rule
 * that holds decides every call (what a security user expects, and the
 * kernel's rule across stacked filters), or a `PolicyError` where libseccomp
 * could not be made to do so:
 * - among unconditional rules the strictest decides (the first of equals);
 *   libseccomp then drops the conditional ones, so a conditional rule that
 *   would refuse a call the decider lets run is `OverlappingRules`. When the
 *   decider is the default action, it is left out, and conditional rules
 *   stricter than it stay (they decide their calls, the default the rest);
 * - conditional rules that may hold together, one letting the call run and
 *   the other not, are `OverlappingRules`, unless the lenient one is the
 *   default's action (it is left out and the strict one decides);
 * - a rule whose action is the default is left out (libseccomp refuses it).
 */
const decide = (policy: Policy, syscall: string, entries: ReadonlyArray<PlannedRule>, keep: Set<PlannedRule>, skipped: Map<PlannedRule, SkippedRule>): void => {
  const skip = (entry: PlannedRule, reason: SkippedRule["reason"], why: string): void => {
    if (entry.rule !== undefined) skipped.set(entry, { rule: entry.rule, path: entry.path, syscall, reason, message: `rules[${entry.rule}] is skipped for "${syscall}": ${why}` })
  }
  const unconditional = entries.filter((entry) => entry.args.length === 0 || entry.catchAll === true)
  const decider = unconditional.reduce<PlannedRule | undefined>((best, entry) => (best === undefined || strictness(entry.action) > strictness(best.action) ? entry : best), undefined)
  let conditional = entries.filter((entry) => !unconditional.includes(entry))
  if (decider !== undefined) {
    const yours = decider.rule === undefined ? ` (name "${syscall}" in a rule without conditions to decide it yourself, or switch ${decider.path} off)` : ""
    for (const entry of unconditional) if (entry !== decider) skip(entry, "shadowed", `${label(decider)} already decides every call to it${yours}`)
    const dropped = sameAction(decider.action, policy.default)
    if (dropped) skip(decider, "same-as-default", `its action (${describeAction(decider.action)}) is the default action`)
    else keep.add(decider)
    const stays = (entry: PlannedRule): boolean =>
      // The floor's ioctl commands stay beside a catch-all; stricter rules stay where the decider is the default.
      (decider.catchAll === true && entry.rule === undefined) || (dropped && strictness(entry.action) > strictness(decider.action))
    // A rule of the policy that repeats a floor rule staying beside the catch-all (an exported profile read back).
    const repeated = (entry: PlannedRule): PlannedRule | undefined =>
      conditional.find((floor) => floor.rule === undefined && stays(floor) && sameAction(floor.action, entry.action) && conditionKey(floor.args) === conditionKey(entry.args))
    for (const entry of conditional) {
      if (stays(entry)) continue
      const floor = repeated(entry)
      if (floor !== undefined) {
        skip(entry, "shadowed", `it repeats ${floor.path}, which stays in the filter`)
        continue
      }
      if (outcome(decider.action) !== outcome(entry.action) && strictness(entry.action) > strictness(decider.action) && entry.rule !== undefined) {
        throw overlapping(syscall, decider, entry, `both hold for some calls to "${syscall}": ${label(decider)} has no conditions, so libseccomp would let it decide every call and drop ${label(entry)}; give ${label(decider)} conditions that exclude what ${label(entry)} refuses, or drop one of them`)
      }
      skip(entry, "shadowed", `${label(decider)} already decides every call to it${yours}`)
    }
    conditional = conditional.filter(stays)
  }
  for (const [i, a] of conditional.entries()) {
    for (const b of conditional.slice(i + 1)) {
      if (!ambiguous(policy, a, b)) continue
      const [lenient, strict] = strictness(a.action) < strictness(b.action) ? [a, b] : [b, a]
      throw overlapping(syscall, lenient, strict, `both hold for some calls to "${syscall}", and libseccomp would let one of them decide by the shape of its filter, not by which is stricter: make their conditions exclusive (add to ${label(lenient)} a condition that rules out what ${label(strict)} refuses), or give them the same action`)
    }
  }
  for (const entry of conditional) {
    if (!sameAction(entry.action, policy.default)) keep.add(entry)
    else skip(entry, "same-as-default", `its action (${describeAction(entry.action)}) is the default action`)
  }
}

/**
 * Splits a policy's filter rules (expand.ts) into those libseccomp will use
 * and those it would ignore, one entry per (rule, syscall), so that the
 * strictest rule that holds for a call decides it; throws `PolicyError`
 * (`OverlappingRules`) where libseccomp could not be made to (see `decide`).
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
  const unmatched: Array<SkippedRule> = never.map(({ rule, path, syscall }) => ({
    rule,
    path,
    syscall,
    reason: "never-matches",
    message: `rules[${rule}] is skipped for "${syscall}": its conditions can never hold on the bits of the arguments the kernel reads`
  }))
  const bySyscall = new Map<string, Array<PlannedRule>>()
  for (const entry of entries) bySyscall.set(entry.syscall, [...(bySyscall.get(entry.syscall) ?? []), entry])
  const keep = new Set<PlannedRule>()
  const left = new Map<PlannedRule, SkippedRule>()
  for (const [syscall, list] of bySyscall) decide(policy, syscall, list, keep, left)
  // Both in the order expand gives the rules: libseccomp's output depends on the order rules are added.
  const added = entries.filter((entry) => keep.has(entry))
  const skipped = [...unmatched, ...entries.flatMap((entry) => { const skip = left.get(entry); return skip === undefined ? [] : [skip] })]
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
