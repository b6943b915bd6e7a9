/**
 * The identity() plugin: who the child runs as.
 * - `user`: "keep", a name from /etc/passwd (read in the supervisor: the child
 *   cannot use NSS), a uid, or { uid, gid }. Changing it needs CAP_SETUID and CAP_SETGID (root).
 * - `groups`: supplementary groups, by name or number; none by default when
 *   the user changes ("keep" keeps the supervisor's).
 * - `capabilities`: "none" (default: bounding, ambient, inheritable, permitted
 *   and effective sets cleared, so a root supervisor's child gets none) or a
 *   list to keep ("CAP_NET_BIND_SERVICE" or "net_bind_service"); a child that
 *   is not uid 0 keeps them in its ambient set. Each must be one the
 *   supervisor holds (or one of the child's own user namespace).
 * - `diagnoseCapabilities`: name, in the exit diagnosis, a call the child
 *   made that needs a capability it lacks (capability-watch.ts).
 * - `map`: run in a user namespace where the supervisor's uid and gid appear
 *   as these ids (e.g. { uid: 0, gid: 0 } for "root" without privilege).
 * A non-root supervisor cannot shrink a bounding set outside a user
 * namespace; its child's other sets are cleared (it may have inherited
 * ambient ones) and it runs with no_new_privs, so setuid files and file
 * capabilities give it nothing. What the supervisor itself lacks for a step
 * (CAP_SETUID for another uid, ...) is a FenceError before any process exists.
 */
import { Result } from "effect"
import type { PreExecStep } from "../../core/steps.ts"
import { capabilityConstants } from "../seccomp/formats/capabilities.ts"
import { capabilityLabel, type CapabilityOption, decodeCapability, holds } from "./capabilities.ts"
import { capabilityWatch, diagnoseRefused, type RefusedCall, superviseWatch } from "./capability-watch.ts"
import { at, decoded, flag, integer, list, type Place, record, text } from "./decode.ts"
import { FenceError } from "./errors.ts"
import { type FenceHost, type FencePlan, type FencePlugin, fencePlugin } from "./plugin.ts"

/**
 * Options as users write them.
 *
 * @example
 * ```ts
 * import type { IdentityOptions } from "./identity.ts"
 *
 * const options: IdentityOptions = { user: "nobody", groups: [], capabilities: ["CAP_NET_BIND_SERVICE"], diagnoseCapabilities: true }
 * ```
 */
export interface IdentityOptions {
  readonly user?: "keep" | string | number | { readonly uid: number; readonly gid: number }
  readonly groups?: "keep" | ReadonlyArray<string | number>
  /** "none" (the default), or the capabilities the child keeps ("CAP_NET_BIND_SERVICE" or "net_bind_service"). */
  readonly capabilities?: "none" | ReadonlyArray<CapabilityOption>
  readonly map?: { readonly uid: number; readonly gid: number }
  /**
   * Watch the calls that cannot succeed without a capability the child lacks
   * (setuid to another id, mount, chroot, a raw socket, ...) and name the first
   * in the exit diagnosis (`cause: "capability"`) when the child fails. Costs a
   * seccomp notify listener per child (see the README's cost table), so it is
   * off unless asked; it cannot be combined with a seccomp policy that notifies.
   */
  readonly diagnoseCapabilities?: boolean
}

/**
 * Decoded options; names are resolved at plan time against the host's files.
 *
 * @example
 * ```ts
 * import type { IdentityConfig } from "./identity.ts"
 *
 * const config: IdentityConfig = { user: "nobody", groups: "default", keep: [], map: undefined, diagnose: false }
 * ```
 */
export interface IdentityConfig {
  readonly user: "keep" | string | { readonly uid: number; readonly gid: number | undefined }
  readonly groups: "keep" | "default" | ReadonlyArray<string | number>
  /** Capability numbers the child keeps. */
  readonly keep: ReadonlyArray<number>
  readonly map: { readonly uid: number; readonly gid: number } | undefined
  readonly diagnose: boolean
}

const maxId = 0xfffffffe
const id = (value: unknown, place: Place): number => integer(value, place, 0, maxId)

const decodeUser = (value: unknown, place: Place): IdentityConfig["user"] => {
  if (value === undefined || value === "keep") return "keep"
  if (typeof value === "number") return { uid: id(value, place), gid: undefined }
  if (typeof value === "string") return text(value, place)
  const fields = record(value, place, ["uid", "gid"])
  return { uid: id(fields.uid, at(place, "uid")), gid: id(fields.gid, at(place, "gid")) }
}

/**
 * The identity keys of `fields` (identity()'s own, or sandbox()'s, which shares them) decoded at `place`.
 *
 * @example
 * ```ts
 * import { identityFields } from "./identity.ts"
 *
 * identityFields({ user: "nobody", capabilities: ["CAP_NET_RAW"] }, { fence: "sandbox", path: "" }).keep // [13]
 * ```
 */
export const identityFields = (fields: Readonly<Record<string, unknown>>, place: Place): IdentityConfig => {
  const groups = fields.groups === undefined ? "default" : fields.groups === "keep" ? "keep"
    : list(fields.groups, at(place, "groups"), (item, where) => (typeof item === "number" ? id(item, where) : text(item, where)))
  const keep = fields.capabilities === undefined || fields.capabilities === "none" ? [] : list(fields.capabilities, at(place, "capabilities"), decodeCapability)
  const map = fields.map === undefined ? undefined : record(fields.map, at(place, "map"), ["uid", "gid"])
  return {
    user: decodeUser(fields.user, at(place, "user")),
    groups,
    keep: [...new Set(keep)],
    map: map === undefined ? undefined : { uid: id(map.uid, at(at(place, "map"), "uid")), gid: id(map.gid, at(at(place, "map"), "gid")) },
    diagnose: fields.diagnoseCapabilities === undefined ? false : flag(fields.diagnoseCapabilities, at(place, "diagnoseCapabilities"))
  }
}

/**
 * Decodes identity() options.
 *
 * @example
 * ```ts
 * import { decodeIdentity } from "./identity.ts"
 *
 * decodeIdentity({ user: "nobody" }) // Success({ user: "nobody", groups: "default", keep: [], map: undefined, diagnose: false })
 * decodeIdentity({ capabilities: ["net_bind"] }) // Failure: Unknown capability "net_bind": did you mean "net_bind_service"?
 * ```
 */
export const decodeIdentity = (input: unknown, place: Place = { fence: "identity", path: "" }): Result.Result<IdentityConfig, FenceError> =>
  decoded(() => identityFields(record(input, place, identityKeys), place))

/**
 * The option keys identity() takes.
 *
 * @example
 * ```ts
 * import { identityKeys } from "./identity.ts"
 *
 * identityKeys.includes("capabilities") // true
 * ```
 */
export const identityKeys: ReadonlyArray<string> = ["user", "groups", "capabilities", "map", "diagnoseCapabilities"]

/** `name:x:uid:gid:...` lines of /etc/passwd, or `name:x:gid:members` of /etc/group. */
const lookup = (host: FenceHost, file: string, name: string): ReadonlyArray<string> | undefined =>
  (host.readFile(file) ?? "").split("\n").map((line) => line.split(":")).find((fields) => fields[0] === name)

const unsupported = (path: string, detail: string, hint: string): FenceError => new FenceError({ reason: "Unsupported", fence: "identity", path, detail, hint })

const setuid = capabilityConstants.indexOf("CAP_SETUID")
const setgid = capabilityConstants.indexOf("CAP_SETGID")
const setpcap = capabilityConstants.indexOf("CAP_SETPCAP")

/**
 * The first capability the supervisor lacks for steps it runs outside a user
 * namespace (a root supervisor in a container may have lost some), as the
 * error that names it: known before any process exists, where the child
 * would only report EPERM.
 */
const lacking = (host: FenceHost, needs: ReadonlyArray<readonly [cap: number, what: string, path: string]>): FenceError | undefined => {
  const missing = needs.find(([cap]) => !holds(host.capabilities, cap))
  if (missing === undefined) return undefined
  const [cap, what, path] = missing
  const name = capabilityLabel(cap)
  return new FenceError({
    reason: "Unsupported", fence: "identity", path: name,
    detail: `${what} needs ${name}, which the supervisor (uid ${host.euid}) does not hold (at ${path})`,
    hint: host.euid === 0
      ? `give the supervisor ${name} (e.g. docker run --cap-add ${name.slice(4)}), or leave the option out`
      : path === "user"
        ? "run the supervisor as root, or use map: { uid, gid } to appear as another id inside a user namespace"
        : "run the supervisor as root, or leave the option out"
  })
}

/**
 * The identity steps for one child on `host`. `userNamespace`: another fence
 * puts the child in a user namespace of its own (sandbox() does, for a
 * supervisor that is not root), where the child holds every capability until
 * these steps clear them.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { decodeIdentity, planIdentity } from "./identity.ts"
 * import type { FenceHost } from "./plugin.ts"
 *
 * declare const host: FenceHost
 * planIdentity(Result.getOrThrow(decodeIdentity({ user: "nobody" })), host)
 * ```
 */
export const planIdentity = (config: IdentityConfig, host: FenceHost, userNamespace = false): Result.Result<FencePlan, FenceError> => {
  let target: { readonly uid: number; readonly gid: number } | undefined
  if (typeof config.user === "string" && config.user !== "keep") {
    const entry = lookup(host, "/etc/passwd", config.user)
    if (entry === undefined) return Result.fail(new FenceError({ reason: "InvalidOption", fence: "identity", path: "user", detail: `no user "${config.user}" in /etc/passwd`, hint: "give a uid and gid instead" }))
    target = { uid: Number(entry[2]), gid: Number(entry[3]) }
  } else if (typeof config.user === "object") {
    target = { uid: config.user.uid, gid: config.user.gid ?? config.user.uid }
  }
  const groups: Array<number> = []
  for (const group of config.groups === "keep" || config.groups === "default" ? [] : config.groups) {
    const entry = typeof group === "number" ? undefined : lookup(host, "/etc/group", group)
    if (typeof group === "string" && entry === undefined) return Result.fail(new FenceError({ reason: "InvalidOption", fence: "identity", path: "groups", detail: `no group "${group}" in /etc/group`, hint: "give its number instead" }))
    groups.push(typeof group === "number" ? group : Number(entry?.[2]))
  }
  const mapped = config.map !== undefined
  // In a user namespace made for the child, the capabilities it holds there are the ones to clear.
  const inNamespace = mapped || userNamespace
  if (target !== undefined && config.map !== undefined && target.uid !== config.map.uid) {
    return Result.fail(unsupported(`uid ${target.uid}`, `inside the user namespace only uid ${config.map.uid} is mapped`, "make user and map name the same id"))
  }
  const changesGroups = config.groups !== "keep" && (target !== undefined || config.groups !== "default") && !inNamespace
  // The ids the child holds after its steps (in its user namespace, if it has one).
  const final = target ?? (config.map ?? { uid: host.euid, gid: host.egid })
  const changesIds = target !== undefined && (inNamespace || target.uid !== host.euid || target.gid !== host.egid)
  // Only a root supervisor, or a child in its own user namespace, may shrink the bounding set (CAP_SETPCAP).
  const dropsBounding = host.euid === 0 || inNamespace || holds(host.capabilities, setpcap)
  if (!inNamespace) {
    // A supervisor that is not root but holds CAP_SETUID and CAP_SETGID (file or ambient capabilities) may change ids too.
    const refused = lacking(host, [
      ...(changesIds && target?.uid !== host.euid ? [[setuid, `running the child as uid ${final.uid}`, "user"] as const] : []),
      ...(changesIds && target?.gid !== host.egid ? [[setgid, `running the child as gid ${final.gid}`, "user"] as const] : []),
      ...(changesGroups ? [[setgid, "setting the child's groups", "groups"] as const] : []),
      ...(dropsBounding ? [[setpcap, "clearing the child's bounding set", "capabilities"] as const] : []),
      ...config.keep.map((cap, index) => [cap, "keeping it for the child", `capabilities[${index}]`] as const)
    ])
    if (refused !== undefined) return Result.fail(refused)
  }
  // A child that is not uid 0 keeps capabilities only through the ambient set (as systemd's AmbientCapabilities=).
  const ambient = config.keep.length > 0 && final.uid !== 0
  const steps: Array<PreExecStep> = []
  // A child that maps its own user namespace must deny setgroups first: its groups stay as they were.
  if (config.map !== undefined) steps.push({ kind: "user-namespace", uidMap: `${config.map.uid} ${host.euid} 1`, gidMap: `${config.map.gid} ${host.egid} 1` })
  if (dropsBounding) steps.push({ kind: "drop-bounding", keep: config.keep, lastCap: host.lastCap })
  if (changesGroups) steps.push({ kind: "groups", groups })
  if (target !== undefined) steps.push({ kind: "ids", uid: target.uid, gid: target.gid, ...(ambient ? { keepCapabilities: true } : {}) })
  // no_new_privs always: no setuid binary or file capability gives the child ids or capabilities back, and a
  // Landlock domain (the default containment's) needs it once CAP_SYS_ADMIN is gone.
  steps.push({ kind: "no-new-privs" }, { kind: "clear-capabilities", keep: config.keep, ...(ambient ? { ambient: true } : {}) })
  if (!config.diagnose) return Result.succeed({ steps, release: () => {} })
  const watch = capabilityWatch({ uid: final.uid, gid: final.gid, keep: config.keep })
  const refused: Array<RefusedCall> = []
  return Result.succeed({
    steps,
    policies: [watch.json],
    release: () => {},
    launched: (child, kernel) => superviseWatch(watch, child, kernel, refused),
    // A clean exit is not explained: the program coped with what it was refused.
    diagnose: (exit) => (exit.exitCode === 0 ? undefined : diagnoseRefused(refused))
  })
}

/**
 * Who every child runs as.
 *
 * @example
 * ```ts
 * import { identity } from "./identity.ts"
 *
 * const asNobody = identity({ user: "nobody" })
 * const fakeRoot = identity({ map: { uid: 0, gid: 0 } })
 * const web = identity({ user: "nobody", capabilities: ["CAP_NET_BIND_SERVICE"], diagnoseCapabilities: true })
 * ```
 */
export const identity = (options: IdentityOptions): FencePlugin =>
  fencePlugin("identity", "identity", decodeIdentity(options), (config, host) => planIdentity(config, host), (config) => config.diagnose)
