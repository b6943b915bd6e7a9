/**
 * The resources `setrlimit(2)` knows, with what each one counts. The unit
 * decides whether K/M/G suffixes make sense, and makes messages specific.
 */
import type { RlimitResource } from "../../core/steps.ts"
import { rlimitResourceNumber } from "../../core/steps.ts"
import { didYouMean, suggest } from "../../core/suggest.ts"
import { RlimitError } from "./error.ts"

export type { RlimitResource } from "../../core/steps.ts"
export { rlimitResourceNumber } from "../../core/steps.ts"

/**
 * What a resource limit counts.
 *
 * @example
 * ```ts
 * import type { RlimitUnit } from "./resources.ts"
 *
 * const unit: RlimitUnit = "bytes"
 * ```
 */
export type RlimitUnit = "bytes" | "seconds" | "microseconds" | "count" | "priority"

/**
 * The unit of each resource, from setrlimit(2).
 *
 * @example
 * ```ts
 * import { rlimitUnit } from "./resources.ts"
 *
 * rlimitUnit.as // "bytes"
 * rlimitUnit.nofile // "count"
 * ```
 */
export const rlimitUnit: Readonly<Record<RlimitResource, RlimitUnit>> = {
  cpu: "seconds", fsize: "bytes", data: "bytes", stack: "bytes", core: "bytes", rss: "bytes",
  nproc: "count", nofile: "count", memlock: "bytes", as: "bytes", locks: "count", sigpending: "count",
  msgqueue: "bytes", nice: "priority", rtprio: "priority", rttime: "microseconds"
}

/**
 * Every resource name, in Linux's numbering order.
 *
 * @example
 * ```ts
 * import { rlimitResources } from "./resources.ts"
 *
 * rlimitResources[7] // "nofile"
 * ```
 */
export const rlimitResources: ReadonlyArray<RlimitResource> = (Object.keys(rlimitResourceNumber) as Array<RlimitResource>)
  .sort((a, b) => rlimitResourceNumber[a] - rlimitResourceNumber[b])

/**
 * Whether `name` is a resource name exactly as kakoi spells it (lower case, no `RLIMIT_`).
 *
 * @example
 * ```ts
 * import { isRlimitResource } from "./resources.ts"
 *
 * isRlimitResource("nofile") // true
 * isRlimitResource("NOFILE") // false
 * ```
 */
export const isRlimitResource = (name: string): name is RlimitResource => Object.hasOwn(rlimitResourceNumber, name)

/**
 * The error for a name that is not a resource, with the closest names as a
 * suggestion. `RLIMIT_NOFILE` and `NOFILE` suggest `nofile`.
 *
 * @example
 * ```ts
 * import { unknownResource } from "./resources.ts"
 *
 * unknownResource("nofle").message // 'Unknown resource limit "nofle": did you mean "nofile"?'
 * ```
 */
export const unknownResource = (name: string): RlimitError => {
  const spelled = name.toLowerCase().replace(/^rlimit_/, "")
  const suggestions = isRlimitResource(spelled) ? [spelled] : suggest(spelled, rlimitResources)
  const detail = suggestions.length > 0
    ? didYouMean(suggestions)
    : `: expected one of ${rlimitResources.map((resource) => `"${resource}"`).join(", ")}`
  return new RlimitError({ reason: "UnknownResource", resource: name, detail })
}
