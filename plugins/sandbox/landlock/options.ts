/**
 * The landlock() plugin's options, decoded strictly into LandlockRules:
 *
 *   { filesystem: { read, write, execute, make, remove, ioctl }, // paths per access class
 *     network: { connect: [443], bind: [] },                     // TCP ports (ABI 4)
 *     scope: ["signal", "abstract-unix-socket"],                  // default both (ABI 6)
 *     bestEffort: false }
 *
 * Giving `filesystem` (even `{}`) handles the whole filesystem: only the
 * listed hierarchies stay reachable, each for its classes. Giving `network`
 * handles TCP: only the listed ports. A path listed under several classes
 * gets their union, in one rule.
 */
import { absolutePath, at, decoded, flag, integer, list, oneOf, type Place, record } from "../decode.ts"
import type { FenceError } from "../errors.ts"
import { type FsAccess, fsAccesses, type LandlockScope } from "./access.ts"
import type { LandlockRules } from "./ruleset.ts"
import type { Result } from "effect"

/**
 * Options as users write them.
 *
 * @example
 * ```ts
 * import type { LandlockOptions } from "./options.ts"
 *
 * const options: LandlockOptions = { filesystem: { read: ["/usr", "/etc"], write: ["/tmp/job"] }, network: { connect: [443] } }
 * ```
 */
export interface LandlockOptions {
  readonly filesystem?: { readonly [Access in FsAccess]?: ReadonlyArray<string> }
  readonly network?: { readonly connect?: ReadonlyArray<number>; readonly bind?: ReadonlyArray<number> }
  readonly scope?: ReadonlyArray<LandlockScope>
  readonly bestEffort?: boolean
}

const scopes: ReadonlyArray<LandlockScope> = ["signal", "abstract-unix-socket"]

const ports = (value: unknown, place: Place, min: number): ReadonlyArray<number> =>
  value === undefined ? [] : list(value, place, (port, where) => integer(port, where, min, 65535))

const filesystemRules = (value: unknown, place: Place, home: string | undefined): LandlockRules["filesystem"] => {
  const fields = record(value, place, fsAccesses)
  const byPath = new Map<string, Set<FsAccess>>()
  for (const access of fsAccesses) {
    if (fields[access] === undefined) continue
    for (const path of list(fields[access], at(place, access), (item, where) => absolutePath(item, where, home))) {
      byPath.set(path, (byPath.get(path) ?? new Set()).add(access))
    }
  }
  return [...byPath].map(([path, access]) => ({ path, access: [...access] }))
}

/**
 * Decodes landlock() options; `place` prefixes JSON paths when they are part of a bigger tree.
 *
 * @example
 * ```ts
 * import { decodeLandlock } from "./options.ts"
 *
 * decodeLandlock({ filesystem: { read: ["/usr"] } }, undefined)
 * // Success({ filesystem: [{ path: "/usr", access: ["read"] }], network: undefined, scopes: ["signal", "abstract-unix-socket"], bestEffort: false })
 * decodeLandlock({ filesytem: {} }, undefined) // Failure: Unknown option "filesytem": did you mean "filesystem"?
 * ```
 */
export const decodeLandlock = (
  input: unknown,
  home: string | undefined,
  place: Place = { fence: "landlock", path: "" }
): Result.Result<LandlockRules, FenceError> =>
  decoded(() => {
    const fields = record(input, place, ["filesystem", "network", "scope", "bestEffort"])
    const network = fields.network === undefined ? undefined : record(fields.network, at(place, "network"), ["connect", "bind"])
    return {
      filesystem: fields.filesystem === undefined ? undefined : filesystemRules(fields.filesystem, at(place, "filesystem"), home),
      network: network === undefined
        ? undefined
        : { connect: ports(network.connect, at(at(place, "network"), "connect"), 1), bind: ports(network.bind, at(at(place, "network"), "bind"), 0) },
      scopes: fields.scope === undefined ? scopes : list(fields.scope, at(place, "scope"), (item, where) => oneOf(item, where, scopes)),
      bestEffort: fields.bestEffort === undefined ? false : flag(fields.bestEffort, at(place, "bestEffort"))
    }
  })
