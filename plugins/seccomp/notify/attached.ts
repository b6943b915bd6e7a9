/**
 * Handlers written inline in the DSL (`rule.notify(fn, "getppid")`). A Policy
 * is frozen data that also travels as JSON, so functions cannot live in it:
 * the rule names a key (`rules[3]`) and the function sits here, per policy.
 */
import type { Policy } from "../model.ts"
import type { NotifyHandler } from "./handler.ts"

const byPolicy = new WeakMap<Policy, ReadonlyMap<string, NotifyHandler>>()

/** Remember the DSL's handlers for a policy `policy()` just made. */
export const attachHandlers = (policy: Policy, handlers: ReadonlyMap<string, NotifyHandler>): void => {
  byPolicy.set(policy, new Map(handlers))
}

/**
 * The handler the DSL attached to `policy` under `key`, if any.
 *
 * @example
 * ```ts
 * import { answer, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.notify(() => answer.allow(), "getppid"), { default: "allow" })
 * attachedHandler(p, "rules[0]") // the function
 * ```
 */
export const attachedHandler = (policy: Policy, key: string): NotifyHandler | undefined => byPolicy.get(policy)?.get(key)
