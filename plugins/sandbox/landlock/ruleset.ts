/**
 * Builds a Landlock ruleset in the supervisor: landlock_create_ruleset with
 * the rights the running ABI can handle, one path_beneath rule per path
 * (opened O_PATH here, so the rule holds the inode, not the name) and one
 * net_port rule per TCP port. The ruleset is an fd; a child enters it with
 * landlock_restrict_self (the "landlock" step with `rulesetFd`, core/steps.ts), and one
 * ruleset serves every child of a plugin.
 *
 * A ruleset that would handle nothing (only scopes on an ABI before 6, say)
 * handles making block devices, so that the child still enters a domain and
 * ptrace stays scoped to it.
 *
 * Strict by default: a rule that needs an ABI the kernel lacks is a typed
 * error, unless `bestEffort` was asked for, and then what was skipped is
 * listed on the ruleset (and by `kakoi doctor`), never dropped in silence.
 */
import { Result } from "effect"
import { fdKind, highFd, type Kernel, memory, openPath } from "../../../core/host/kernel.ts"
import { constants, errno as errnos, landlockAccess as landlock, structs } from "../../../core/arch/generic.ts"

const { ENOSYS, EOPNOTSUPP } = errnos
import { FenceError } from "../errors.ts"
import { type FsAccess, fsRights, fsRightsOf, type LandlockScope, missingFor, netBits, scopeBits } from "./access.ts"

/**
 * What a ruleset allows; everything of a handled kind that no rule allows is denied.
 *
 * @example
 * ```ts
 * import type { LandlockRules } from "./ruleset.ts"
 *
 * const rules: LandlockRules = {
 *   filesystem: [{ path: "/usr", access: ["read", "execute"] }, { path: "/tmp/job", access: ["read", "write", "make", "remove"] }],
 *   network: { connect: [443], bind: [] },
 *   scopes: ["signal", "abstract-unix-socket"],
 *   bestEffort: false
 * }
 * ```
 */
export interface LandlockRules {
  /** Rules per path hierarchy; undefined leaves the filesystem unhandled (all allowed). */
  readonly filesystem: ReadonlyArray<{ readonly path: string; readonly access: ReadonlyArray<FsAccess> }> | undefined
  /** TCP ports a child may connect to or bind; undefined leaves TCP unhandled. */
  readonly network: { readonly connect: ReadonlyArray<number>; readonly bind: ReadonlyArray<number> } | undefined
  readonly scopes: ReadonlyArray<LandlockScope>
  /** Enforce what the running ABI can and list the rest in `skipped`, instead of failing. */
  readonly bestEffort: boolean
}

/**
 * A ruleset fd ready for landlock_restrict_self.
 *
 * @example
 * ```ts
 * import type { Ruleset } from "./ruleset.ts"
 *
 * declare const ruleset: Ruleset
 * ruleset.skipped // [] unless bestEffort had to leave something out
 * ```
 */
export interface Ruleset {
  readonly fd: number
  readonly abi: number
  readonly handledFs: bigint
  readonly handledNet: bigint
  readonly scoped: bigint
  /** What best effort left out on this kernel, as sentences. */
  readonly skipped: ReadonlyArray<string>
  readonly close: () => void
}

/**
 * The running kernel's Landlock ABI version (>= 1), or -errno: -ENOSYS when
 * the kernel is built without Landlock, -EOPNOTSUPP when it is disabled at boot.
 *
 * @example
 * ```ts
 * import { landlockAbi } from "./ruleset.ts"
 * import type { Kernel } from "../../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * landlockAbi(kernel) // 7 on this machine
 * ```
 */
export const landlockAbi = (kernel: Kernel): number =>
  Number(kernel.syscall("landlock_create_ruleset", 0, 0, constants.LANDLOCK_CREATE_RULESET_VERSION))

/**
 * Why Landlock is unavailable, for an ABI probe's -errno.
 *
 * @example
 * ```ts
 * import { landlockUnavailable } from "./ruleset.ts"
 *
 * landlockUnavailable(-38) // "the kernel is built without Landlock (CONFIG_SECURITY_LANDLOCK)"
 * ```
 */
export const landlockUnavailable = (result: number): string =>
  result === -ENOSYS
    ? "the kernel is built without Landlock (CONFIG_SECURITY_LANDLOCK)"
    : result === -EOPNOTSUPP
      ? 'Landlock is disabled at boot: add "landlock" to the lsm= kernel parameter'
      : `landlock_create_ruleset failed with errno ${-result}`

const unsupported = (path: string, detail: string, hint: string): FenceError =>
  new FenceError({ reason: "Unsupported", fence: "landlock", path, detail, hint })

const addPathRule = (kernel: Kernel, ruleset: number, path: string, access: ReadonlyArray<FsAccess>, abi: number): FenceError | undefined => {
  const fd = openPath(kernel, path, constants.O_PATH)
  if (fd < 0) {
    return new FenceError({ reason: "SystemCallFailed", fence: "landlock", path, detail: "cannot open the path of a rule", hint: "every path in a rule must exist when the plugin is used", errno: -fd })
  }
  try {
    const kind = fdKind(kernel, fd)
    if (typeof kind === "number") {
      return new FenceError({ reason: "SystemCallFailed", fence: "landlock", path, detail: "cannot stat the path of a rule", hint: "", errno: -kind })
    }
    const allowed = fsRights(access, abi, kind === "directory")
    if (allowed === 0n) return undefined
    const attr = memory(structs.landlockPathBeneath.size)
    const view = new DataView(attr.buffer)
    view.setBigUint64(0, allowed, true)
    view.setInt32(8, fd, true)
    const result = Number(kernel.syscall("landlock_add_rule", ruleset, constants.LANDLOCK_RULE_PATH_BENEATH, attr, 0))
    if (result < 0) {
      return new FenceError({ reason: "SystemCallFailed", fence: "landlock", path, detail: "cannot add the rule for", hint: "", errno: -result })
    }
    return undefined
  } finally {
    kernel.syscall("close", fd)
  }
}

const addPortRule = (kernel: Kernel, ruleset: number, port: number, allowed: bigint): FenceError | undefined => {
  const attr = memory(structs.landlockNetPort.size)
  const view = new DataView(attr.buffer)
  view.setBigUint64(0, allowed, true)
  view.setBigUint64(8, BigInt(port), true)
  const result = Number(kernel.syscall("landlock_add_rule", ruleset, constants.LANDLOCK_RULE_NET_PORT, attr, 0))
  return result < 0
    ? new FenceError({ reason: "SystemCallFailed", fence: "landlock", path: `TCP port ${port}`, detail: "cannot add the rule for", hint: "", errno: -result })
    : undefined
}

/** Rules per port: connect and bind of the same port share one rule. */
const portRules = (network: NonNullable<LandlockRules["network"]>): ReadonlyMap<number, bigint> => {
  const rules = new Map<number, bigint>()
  for (const port of network.connect) rules.set(port, (rules.get(port) ?? 0n) | netBits.connect)
  for (const port of network.bind) rules.set(port, (rules.get(port) ?? 0n) | netBits.bind)
  return rules
}

/**
 * Creates the ruleset for `rules` on the running kernel (or the ABI given).
 * The caller owns the fd (`close()`); it is close-on-exec in the supervisor.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { createRuleset } from "./ruleset.ts"
 * import type { Kernel } from "../../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * const ruleset = createRuleset(kernel, { filesystem: [{ path: "/usr", access: ["read", "execute"] }], network: undefined, scopes: [], bestEffort: false })
 * if (Result.isSuccess(ruleset)) ruleset.success.close()
 * ```
 */
export const createRuleset = (kernel: Kernel, rules: LandlockRules, abi: number = landlockAbi(kernel)): Result.Result<Ruleset, FenceError> => {
  if (abi < 1) return Result.fail(unsupported("Landlock", landlockUnavailable(abi), "use a kernel with Landlock (5.13 or later), or leave the landlock fence out"))
  const missing = missingFor({ filesystem: rules.filesystem !== undefined, network: rules.network !== undefined, scopes: rules.scopes }, abi)
  const first = missing[0]
  if (first !== undefined && !rules.bestEffort) {
    return Result.fail(unsupported(`Landlock ABI ${abi}`, `${first.what} needs Landlock ABI ${first.abi}`, "use a newer kernel, or pass bestEffort: true to enforce what this one can"))
  }
  const handledNet = rules.network === undefined || abi < 4 ? 0n : netBits.connect | netBits.bind
  const scoped = abi < 6 ? 0n : rules.scopes.reduce((bits, scope) => bits | scopeBits[scope], 0n)
  // The kernel refuses a ruleset that handles nothing (ENOMSG); a domain still matters (ptrace is
  // scoped to it), so an otherwise empty one handles the one right no sandboxed child needs.
  const handledFs = rules.filesystem !== undefined ? fsRightsOf(abi) : handledNet === 0n && scoped === 0n ? landlock.fs.MAKE_BLOCK : 0n
  const size = landlock.rulesetAttrSize(abi)
  const attr = memory(size)
  const view = new DataView(attr.buffer)
  view.setBigUint64(0, handledFs, true)
  if (size >= 16) view.setBigUint64(8, handledNet, true)
  if (size >= 24) view.setBigUint64(16, scoped, true)
  const fd = highFd(kernel, Number(kernel.syscall("landlock_create_ruleset", attr, size, 0)))
  if (fd < 0) {
    return Result.fail(new FenceError({ reason: "SystemCallFailed", fence: "landlock", path: "ruleset", detail: "landlock_create_ruleset failed for the", hint: "", errno: -fd }))
  }
  const close = (): void => void kernel.syscall("close", fd)
  for (const { path, access } of rules.filesystem ?? []) {
    const error = addPathRule(kernel, fd, path, access, abi)
    if (error !== undefined) return close(), Result.fail(error)
  }
  if (handledNet !== 0n && rules.network !== undefined) {
    for (const [port, allowed] of portRules(rules.network)) {
      const error = addPortRule(kernel, fd, port, allowed)
      if (error !== undefined) return close(), Result.fail(error)
    }
  }
  const skipped = missing.map(({ what, abi: needed }) => `${what} (needs Landlock ABI ${needed}, this kernel has ${abi})`)
  return Result.succeed({ fd, abi, handledFs, handledNet, scoped, skipped, close })
}
