/**
 * Capabilities as the identity fence takes and reports them: names decoded
 * strictly (capabilities(7)'s "CAP_NET_BIND_SERVICE" or the short
 * "net_bind_service", nothing in between), the masks of /proc/PID/status,
 * and what the supervisor itself holds (a root supervisor in a container may
 * lack CAP_SETUID or CAP_SYS_ADMIN: the plan says so before any process exists).
 */
import { type CapabilityConstant, capabilityConstants } from "../seccomp/formats/capabilities.ts"
import { type Place, reject } from "./decode.ts"
import { didYouMean, suggest } from "../../core/suggest.ts"

/**
 * A capability's short name: capabilities(7)'s without CAP_, lower case.
 *
 * @example
 * ```ts
 * import type { CapabilityName } from "./capabilities.ts"
 *
 * const cap: CapabilityName = "net_bind_service"
 * ```
 */
export type CapabilityName = Lowercase<CapabilityConstant extends `CAP_${infer Short}` ? Short : never>

/**
 * Short capability names in number order (the index is the capability's number).
 *
 * @example
 * ```ts
 * import { capabilityNames } from "./capabilities.ts"
 *
 * capabilityNames.indexOf("net_bind_service") // 10
 * ```
 */
export const capabilityNames: ReadonlyArray<CapabilityName> = capabilityConstants.map((name) => name.slice(4).toLowerCase() as CapabilityName)

/**
 * A capability as options may name it: "CAP_NET_BIND_SERVICE" or "net_bind_service".
 *
 * @example
 * ```ts
 * import type { CapabilityOption } from "./capabilities.ts"
 *
 * const kept: ReadonlyArray<CapabilityOption> = ["CAP_NET_BIND_SERVICE", "net_raw"]
 * ```
 */
export type CapabilityOption = CapabilityName | CapabilityConstant

/**
 * capabilities(7)'s name of capability number `cap`.
 *
 * @example
 * ```ts
 * import { capabilityLabel } from "./capabilities.ts"
 *
 * capabilityLabel(7) // "CAP_SETUID"
 * ```
 */
export const capabilityLabel = (cap: number): string => capabilityConstants[cap] ?? `capability ${cap}`

/**
 * The number of a capability option; anything else (another case, a missing
 * or extra CAP_ prefix, a typo) is refused with the names it most likely meant.
 *
 * @example
 * ```ts
 * import { decodeCapability } from "./capabilities.ts"
 *
 * decodeCapability("CAP_NET_BIND_SERVICE", { fence: "identity", path: "capabilities[0]" }) // 10
 * decodeCapability("net_bind", { fence: "identity", path: "capabilities[0]" }) // throws: Unknown capability "net_bind": did you mean "net_bind_service"?
 * ```
 */
export const decodeCapability = (value: unknown, place: Place): number => {
  if (typeof value !== "string") return reject(place, `expected a capability name, got ${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value}`, 'e.g. "CAP_NET_BIND_SERVICE"')
  const exact = capabilityConstants.indexOf(value as CapabilityConstant)
  if (exact >= 0) return exact
  const short = capabilityNames.indexOf(value as CapabilityName)
  if (short >= 0) return short
  // The same letters in another case or with a stray prefix mean one capability for sure: name both spellings of it.
  const bare = value.toLowerCase().replace(/^cap_/, "")
  const known = capabilityNames.indexOf(bare as CapabilityName)
  // Otherwise in the spelling it was written in: what it is a prefix of ("net_bind"), else the nearest names.
  const spelled = value.startsWith("CAP_") ? capabilityConstants : capabilityNames
  const completions = bare.length >= 3 ? spelled.filter((_, cap) => capabilityNames[cap]?.startsWith(bare)) : []
  const close = known >= 0 ? [capabilityConstants[known] ?? "", capabilityNames[known] ?? ""] : completions.length > 0 ? completions : suggest(value, spelled)
  const hint = didYouMean([...new Set(close)].slice(0, 3))
  return reject(place, `Unknown capability ${JSON.stringify(value)}${hint}`, hint === "" ? "see capabilities(7) for the names; write them as \"CAP_NET_BIND_SERVICE\" or \"net_bind_service\"" : "")
}

/**
 * A capability mask of /proc/PID/status (`CapEff`, `CapBnd`, ...), or undefined when the field is absent.
 *
 * @example
 * ```ts
 * import { statusMask } from "./capabilities.ts"
 *
 * statusMask("CapEff:\t0000000000000400\n", "CapEff") // 1024n: CAP_NET_BIND_SERVICE
 * ```
 */
export const statusMask = (status: string, field: string): bigint | undefined => {
  const hex = status.match(new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m"))?.[1]
  return hex === undefined ? undefined : BigInt(`0x${hex}`)
}

/**
 * Whether `mask` holds capability `cap`.
 *
 * @example
 * ```ts
 * import { holds } from "./capabilities.ts"
 *
 * holds(0x400n, 10) // true
 * ```
 */
export const holds = (mask: bigint, cap: number): boolean => ((mask >> BigInt(cap)) & 1n) === 1n

