/**
 * The rlimit plugin: sets resource limits in the child (setrlimit(2) in the
 * launcher, before execve). Limits are validated when the plugin is created
 * and reported by the spawn hook, so a bad limit stops the spawn before any
 * process exists.
 */
import { Effect, Result } from "effect"
import type { Plugin } from "../../core/plugin.ts"
import type { RlimitError } from "./error.ts"
import type { RlimitOptions } from "./limits.ts"
import { rlimitSteps } from "./limits.ts"

/**
 * A plugin that applies `limits` to every child it is given to. A single value
 * sets soft = hard; a pair is [soft, hard]; "unlimited" is RLIM_INFINITY.
 * Limits not named are inherited from the supervisor, except that runtimes
 * raise the nofile soft limit to the hard one at startup: name `nofile` to
 * pin it.
 *
 * @example
 * ```ts
 * import { rlimit } from "./plugin.ts"
 *
 * const limits = rlimit({ nofile: 64, nproc: [10, 20], as: 512n * 1024n * 1024n, cpu: 5, core: 0 })
 * ```
 */
export const rlimit = (limits: RlimitOptions): Plugin<RlimitError> => {
  const steps = rlimitSteps(limits)
  const checked = Effect.fromResult(steps)
  return {
    name: "rlimit",
    spawn: (spec) => Result.isFailure(steps) ? Effect.fail(steps.failure) : Effect.succeed(spec),
    preExec: () => checked
  }
}
