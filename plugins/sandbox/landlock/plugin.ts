/**
 * The landlock() plugin: every child enters one Landlock domain built from
 * the options. The ruleset is built once, in the supervisor, the first time a
 * child needs it (the paths are opened then, so they must exist), and kept
 * for the plugin's life: one fd, shared by every child, which enters it with
 * landlock_restrict_self just before its seccomp filters.
 */
import { Result } from "effect"
import type { FenceError } from "../errors.ts"
import { type FenceHost, type FencePlan, type FencePlugin, fencePlugin } from "../plugin.ts"
import { decodeLandlock, type LandlockOptions } from "./options.ts"
import { createRuleset, type LandlockRules, type Ruleset } from "./ruleset.ts"

/**
 * A planner over decoded rules that builds the ruleset once and reuses it.
 *
 * @example
 * ```ts
 * import { landlockPlanner } from "./plugin.ts"
 *
 * const plan = landlockPlanner()
 * ```
 */
export const landlockPlanner = (): ((rules: LandlockRules, host: FenceHost) => Result.Result<FencePlan, FenceError>) => {
  let ruleset: Ruleset | undefined
  return (rules, host) => {
    if (ruleset === undefined) {
      const built = createRuleset(host.kernel, rules)
      if (Result.isFailure(built)) return Result.fail(built.failure)
      ruleset = built.success
    }
    // no_new_privs: landlock_restrict_self needs it unless the child still holds CAP_SYS_ADMIN (it may have dropped it).
    return Result.succeed({ steps: [{ kind: "no-new-privs" }, { kind: "landlock", rulesetFd: ruleset.fd }], release: () => {} })
  }
}

/**
 * Confines every child to the paths, TCP ports and scopes given (Landlock,
 * by the running kernel's ABI; strict unless `bestEffort`).
 *
 * @example
 * ```ts
 * import { landlock } from "./plugin.ts"
 *
 * const fence = landlock({ filesystem: { read: ["/usr", "/lib", "/etc"], execute: ["/usr", "/lib"], write: ["/tmp/job"] }, network: { connect: [443] } })
 * ```
 */
export const landlock = (options: LandlockOptions, home?: string): FencePlugin =>
  fencePlugin("landlock", "landlock", decodeLandlock(options, home), landlockPlanner())
