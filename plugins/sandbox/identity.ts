/**
 * The identity() plugin: who the child runs as.
 * - `user`: "keep", a name from /etc/passwd (read in the supervisor: the child
 *   cannot use NSS), a uid, or { uid, gid }. Changing it needs root.
 * - `groups`: supplementary groups, by name or number; none by default when
 *   the user changes ("keep" keeps the supervisor's).
 * - `capabilities`: "none" (default: bounding, ambient, inheritable, permitted
 *   and effective sets cleared, so a root supervisor's child gets none) or a
 *   list to keep, for a child that stays uid 0.
 * - `map`: run in a user namespace where the supervisor's uid and gid appear
 *   as these ids (e.g. { uid: 0, gid: 0 } for "root" without privilege).
 * A non-root supervisor cannot shrink a bounding set outside a user
 * namespace; its child holds no capabilities anyway and runs with
 * no_new_privs, so setuid files give it nothing.
 */
import { Result } from "effect"
import type { PreExecStep } from "../../core/steps.ts"
import { at, decoded, integer, list, oneOf, type Place, record, reject, text } from "./decode.ts"
import { FenceError } from "./errors.ts"
import { type FenceHost, type FencePlan, type FencePlugin, fencePlugin } from "./plugin.ts"

/**
 * Options as users write them.
 *
 * @example
 * ```ts
 * import type { IdentityOptions } from "./identity.ts"
 *
 * const options: IdentityOptions = { user: "nobody", groups: [], capabilities: "none" }
 * ```
 */
export interface IdentityOptions {
  readonly user?: "keep" | string | number | { readonly uid: number; readonly gid: number }
  readonly groups?: "keep" | ReadonlyArray<string | number>
  readonly capabilities?: "none" | ReadonlyArray<CapabilityName>
  readonly map?: { readonly uid: number; readonly gid: number }
}

/**
 * Capability names as in capabilities(7), lower case without CAP_, in number order.
 *
 * @example
 * ```ts
 * import { capabilityNames } from "./identity.ts"
 *
 * capabilityNames.indexOf("net_bind_service") // 10
 * ```
 */
export const capabilityNames = [
  "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap", "linux_immutable",
  "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace",
  "sys_pacct", "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
  "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore"
] as const

/**
 * A capability's name.
 *
 * @example
 * ```ts
 * import type { CapabilityName } from "./identity.ts"
 *
 * const cap: CapabilityName = "net_bind_service"
 * ```
 */
export type CapabilityName = (typeof capabilityNames)[number]

/**
 * Decoded options; names are resolved at plan time against the host's files.
 *
 * @example
 * ```ts
 * import type { IdentityConfig } from "./identity.ts"
 *
 * const config: IdentityConfig = { user: "nobody", groups: "default", keep: [], map: undefined }
 * ```
 */
export interface IdentityConfig {
  readonly user: "keep" | string | { readonly uid: number; readonly gid: number | undefined }
  readonly groups: "keep" | "default" | ReadonlyArray<string | number>
  readonly keep: ReadonlyArray<number>
  readonly map: { readonly uid: number; readonly gid: number } | undefined
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
 * Decodes identity() options.
 *
 * @example
 * ```ts
 * import { decodeIdentity } from "./identity.ts"
 *
 * decodeIdentity({ user: "nobody" }) // Success({ user: "nobody", groups: "default", keep: [], map: undefined })
 * decodeIdentity({ capabilities: ["net_bind"] }) // Failure: Unknown value "net_bind": did you mean "net_bind_service"?
 * ```
 */
export const decodeIdentity = (input: unknown, place: Place = { fence: "identity", path: "" }): Result.Result<IdentityConfig, FenceError> =>
  decoded(() => {
    const fields = record(input, place, ["user", "groups", "capabilities", "map"])
    const groups = fields.groups === undefined ? "default" : fields.groups === "keep" ? "keep"
      : list(fields.groups, at(place, "groups"), (item, where) => (typeof item === "number" ? id(item, where) : text(item, where)))
    const caps = fields.capabilities === undefined || fields.capabilities === "none" ? []
      : list(fields.capabilities, at(place, "capabilities"), (item, where) => capabilityNames.indexOf(oneOf(item, where, capabilityNames)))
    const map = fields.map === undefined ? undefined : record(fields.map, at(place, "map"), ["uid", "gid"])
    const user = decodeUser(fields.user, at(place, "user"))
    if (caps.length > 0 && user !== "keep") {
      reject(at(place, "capabilities"), "capabilities cannot be kept across a change of user (that needs ambient capabilities)", 'use user: "keep" for a child that keeps capabilities as uid 0')
    }
    return {
      user,
      groups,
      keep: caps,
      map: map === undefined ? undefined : { uid: id(map.uid, at(at(place, "map"), "uid")), gid: id(map.gid, at(at(place, "map"), "gid")) }
    }
  })

/** `name:x:uid:gid:...` lines of /etc/passwd, or `name:x:gid:members` of /etc/group. */
const lookup = (host: FenceHost, file: string, name: string): ReadonlyArray<string> | undefined =>
  (host.readFile(file) ?? "").split("\n").map((line) => line.split(":")).find((fields) => fields[0] === name)

const unsupported = (path: string, detail: string, hint: string): FenceError => new FenceError({ reason: "Unsupported", fence: "identity", path, detail, hint })

/**
 * The identity steps for one child on `host`.
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
export const planIdentity = (config: IdentityConfig, host: FenceHost): Result.Result<FencePlan, FenceError> => {
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
  const inNamespace = config.map !== undefined
  const privileged = host.euid === 0 || inNamespace
  if (target !== undefined && !privileged && target.uid !== host.euid) {
    return Result.fail(unsupported(`uid ${target.uid}`, `changing the child's user needs root; the supervisor runs as uid ${host.euid}`, "run the supervisor as root, or use map: { uid, gid } to appear as another id inside a user namespace"))
  }
  if (target !== undefined && config.map !== undefined && target.uid !== config.map.uid) {
    return Result.fail(unsupported(`uid ${target.uid}`, `inside the user namespace only uid ${config.map.uid} is mapped`, "make user and map name the same id"))
  }
  const changesGroups = config.groups !== "keep" && (target !== undefined || config.groups !== "default")
  const steps: Array<PreExecStep> = []
  // A child that maps its own user namespace must deny setgroups first: its groups stay as they were.
  if (config.map !== undefined) steps.push({ kind: "user-namespace", uidMap: `${config.map.uid} ${host.euid} 1`, gidMap: `${config.map.gid} ${host.egid} 1` })
  if (privileged) steps.push({ kind: "drop-bounding", keep: config.keep, lastCap: host.lastCap })
  if (changesGroups && privileged && !inNamespace) steps.push({ kind: "groups", groups })
  // no_new_privs too: no setuid binary gives the dropped child its ids back, and a Landlock domain after the drop needs it.
  if (target !== undefined) steps.push({ kind: "ids", uid: target.uid, gid: target.gid }, { kind: "no-new-privs" })
  if (privileged) steps.push({ kind: "clear-capabilities", keep: config.keep })
  return Result.succeed({ steps, release: () => {} })
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
 * ```
 */
export const identity = (options: IdentityOptions): FencePlugin => fencePlugin("identity", "identity", decodeIdentity(options), planIdentity)
