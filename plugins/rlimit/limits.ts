/**
 * Resource limits as users write them (`{ nofile: 64, nproc: [10, 20] }`) and
 * their validation into launcher steps. Everything is checked in the parent,
 * so a bad limit fails before any process exists instead of as EINVAL in the
 * child.
 */
import { Result } from "effect"
import type { PreExecStep, RlimitResource, RlimitValue } from "../../core/steps.ts"
import { RlimitError } from "./error.ts"
import { isRlimitResource, unknownResource } from "./resources.ts"

/**
 * One limit: a non-negative integer, or "unlimited" (RLIM_INFINITY).
 *
 * @example
 * ```ts
 * import type { RlimitAmount } from "./limits.ts"
 *
 * const amounts: Array<RlimitAmount> = [64, 512n * 1024n * 1024n, "unlimited"]
 * ```
 */
export type RlimitAmount = number | bigint | "unlimited"

/**
 * A limit for one resource: one amount sets soft = hard; a pair is [soft, hard].
 *
 * @example
 * ```ts
 * import type { RlimitSetting } from "./limits.ts"
 *
 * const both: RlimitSetting = 64
 * const pair: RlimitSetting = [10, "unlimited"]
 * ```
 */
export type RlimitSetting = RlimitAmount | readonly [soft: RlimitAmount, hard: RlimitAmount]

/**
 * Limits by resource name.
 *
 * @example
 * ```ts
 * import type { RlimitOptions } from "./limits.ts"
 *
 * const limits: RlimitOptions = { nofile: 64, as: 512n * 1024n * 1024n, core: 0 }
 * ```
 */
export type RlimitOptions = { readonly [Resource in RlimitResource]?: RlimitSetting }

/**
 * The launcher step that sets one limit.
 *
 * @example
 * ```ts
 * import type { RlimitStep } from "./limits.ts"
 *
 * const step: RlimitStep = { kind: "rlimit", resource: "nofile", soft: 64n, hard: 64n }
 * ```
 */
export type RlimitStep = Extract<PreExecStep, { readonly kind: "rlimit" }>

/** RLIM_INFINITY on Linux; a finite limit must stay below it or it would mean "no limit". */
const rlimInfinity = (1n << 64n) - 1n

const show = (value: unknown): string =>
  typeof value === "bigint" || typeof value === "number" ? String(value) : typeof value === "string" ? JSON.stringify(value) : typeof value

const invalid = (resource: string, detail: string): Result.Result<never, RlimitError> =>
  Result.fail(new RlimitError({ reason: "InvalidValue", resource, detail }))

/** One amount as a step value; `side` names it in messages when the user gave a pair. */
const toValue = (resource: string, amount: unknown, side: string): Result.Result<RlimitValue, RlimitError> => {
  const subject = `${side}${show(amount)}`
  if (amount === "unlimited") return Result.succeed("unlimited")
  if (typeof amount === "number") {
    if (Number.isNaN(amount)) return invalid(resource, `${subject} is not a number`)
    if (!Number.isFinite(amount)) return invalid(resource, `${subject} is not an integer: use "unlimited" for no limit`)
    if (!Number.isInteger(amount)) return invalid(resource, `${subject} is not an integer`)
    // Past 2^53 a number has already lost digits; only a bigint says what was meant.
    if (!Number.isSafeInteger(amount)) return invalid(resource, `${subject} is not exact: write it as a bigint`)
  } else if (typeof amount !== "bigint") {
    return invalid(resource, `expected a number, a bigint or "unlimited", got ${subject}`)
  }
  const value = BigInt(amount)
  if (value < 0n) return invalid(resource, `${subject} is negative`)
  if (value >= rlimInfinity) {
    return invalid(resource, `${subject} is too large: the largest limit is ${rlimInfinity - 1n}, use "unlimited" for no limit`)
  }
  return Result.succeed(value)
}

const above = (soft: RlimitValue, hard: RlimitValue): boolean =>
  hard !== "unlimited" && (soft === "unlimited" || soft > hard)

/**
 * The step for one resource, or why it cannot be set.
 *
 * @example
 * ```ts
 * import { rlimitStep } from "./limits.ts"
 *
 * rlimitStep("nproc", [10, 20]) // Success({ kind: "rlimit", resource: "nproc", soft: 10n, hard: 20n })
 * rlimitStep("nproc", [20, 10]) // Failure(RlimitError: Soft limit of "nproc" is above its hard limit: 20 > 10)
 * ```
 */
export const rlimitStep = (resource: string, setting: unknown): Result.Result<RlimitStep, RlimitError> => {
  if (!isRlimitResource(resource)) return Result.fail(unknownResource(resource))
  const pair = Array.isArray(setting)
  if (pair && setting.length !== 2) return invalid(resource, `expected [soft, hard], got ${setting.length} values`)
  const soft = toValue(resource, pair ? setting[0] : setting, pair ? "soft limit " : "")
  if (Result.isFailure(soft)) return Result.fail(soft.failure)
  const hard = pair ? toValue(resource, setting[1], "hard limit ") : soft
  if (Result.isFailure(hard)) return Result.fail(hard.failure)
  if (above(soft.success, hard.success)) {
    return Result.fail(new RlimitError({ reason: "SoftAboveHard", resource, detail: `${show(soft.success)} > ${show(hard.success)}` }))
  }
  return Result.succeed({ kind: "rlimit", resource, soft: soft.success, hard: hard.success })
}

/**
 * Validates every limit and returns the launcher steps, in the order written.
 * Names are checked at run time too, for limits that come from JSON or a CLI.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { rlimitSteps } from "./limits.ts"
 *
 * const steps = Result.getOrThrow(rlimitSteps({ nofile: 64, core: 0 }))
 * // [{ kind: "rlimit", resource: "nofile", soft: 64n, hard: 64n },
 * //  { kind: "rlimit", resource: "core", soft: 0n, hard: 0n }]
 * ```
 */
export const rlimitSteps = (options: RlimitOptions): Result.Result<ReadonlyArray<RlimitStep>, RlimitError> => {
  const steps: Array<RlimitStep> = []
  for (const [resource, setting] of Object.entries(options as Readonly<Record<string, unknown>>)) {
    // An explicit undefined means "not set", as with optional properties.
    if (setting === undefined) continue
    const step = rlimitStep(resource, setting)
    if (Result.isFailure(step)) return Result.fail(step.failure)
    steps.push(step.success)
  }
  return Result.succeed(steps)
}
