/**
 * sandbox(): the preset most users want, composed from the lower fences.
 *
 *   sandbox({
 *     filesystem: { read: ["/usr", "/lib", "/etc/ssl"], write: ["/tmp/job-42"], hide: ["~/.ssh"] }, // or "read-only-host"
 *     network: "none",             // "loopback" | "host" | { connect: [443], bind: [] }
 *     user: "nobody",              // or "keep", or { uid, gid }
 *     capabilities: ["CAP_NET_BIND_SERVICE"], // none by default
 *     diagnoseCapabilities: true,  // name a call that failed for lack of one in the exit diagnosis
 *     hostname: "sandbox",
 *     limits: { memory: "512M", pids: 64, cpu: 1 },
 *     containment: "namespaces"    // or "cgroup" | "process-group"
 *   })
 *
 * With no options it is strict: the host's tree read-only, a private /tmp
 * and /dev/shm, a minimal /dev, a fresh /proc (the supervisor's entries are
 * not there), no network, no capabilities (and uid 65534 when the supervisor
 * is root: uid 0 owns root's files even without capabilities), the supervisor's home, /root,
 * /home and kakoi's own files hidden, each child in its own pid namespace and
 * Landlock domain. An object `filesystem` with `read` shows only the paths
 * it lists (an empty root), read-only unless under `write`; without `read` it
 * keeps the host read-only with its `write` paths writable.
 */
import { Effect, Result } from "effect"
import type { Diagnosis } from "../../core/exit.ts"
import type { PolicyJson } from "../seccomp/json.ts"
import { type CgroupLimits, type CgroupLimitOptions, decodeLimits } from "./cgroup/limits.ts"
import { cgroupPlanner } from "./cgroup/plugin.ts"
import { type ContainmentLevel, containmentLevels } from "../../core/containment.ts"
import { containmentPlanner } from "./containment.ts"
import { absolutePath, at, decoded, list, oneOf, type Place, record, reject, text } from "./decode.ts"
import type { FenceError } from "./errors.ts"
import type { CapabilityOption } from "./capabilities.ts"
import { identityFields, type IdentityConfig, planIdentity } from "./identity.ts"
import type { MountsConfig } from "./mounts/options.ts"
import { planMounts } from "./mounts/plan.ts"
import { decodeNetwork, type NetworkConfig, type NetworkOption, networkPlanner } from "./network.ts"
import { type FenceHost, type FencePlan, type FencePlugin, fencePlugin, inNamespaces } from "./plugin.ts"

/**
 * Options as users write them.
 *
 * @example
 * ```ts
 * import type { SandboxOptions } from "./sandbox.ts"
 *
 * const options: SandboxOptions = { filesystem: { read: ["/usr", "/lib"], write: ["/tmp/job"] }, network: "none", user: "nobody" }
 * ```
 */
export interface SandboxOptions {
  readonly filesystem?: "read-only-host" | {
    /** "empty" (the default when `read` is given): only the listed paths exist; "read-only-host": the host's tree, read-only. */
    readonly root?: "empty" | "read-only-host"
    readonly read?: ReadonlyArray<string>
    readonly write?: ReadonlyArray<string>
    readonly hide?: ReadonlyArray<string>
  }
  readonly network?: NetworkOption
  readonly user?: "keep" | string | number | { readonly uid: number; readonly gid: number }
  /** Capabilities the child keeps ("CAP_NET_BIND_SERVICE" or "net_bind_service"); none by default. */
  readonly capabilities?: "none" | ReadonlyArray<CapabilityOption>
  /** identity()'s capability watch: the exit diagnosis names a call that failed for lack of a capability. */
  readonly diagnoseCapabilities?: boolean
  readonly hostname?: string
  readonly limits?: CgroupLimitOptions
  readonly containment?: ContainmentLevel
}

/**
 * The decoded preset: one config per lower fence.
 *
 * @example
 * ```ts
 * import type { SandboxConfig } from "./sandbox.ts"
 *
 * declare const config: SandboxConfig
 * config.mounts.root // "read-only-host" by default
 * ```
 */
export interface SandboxConfig {
  readonly containment: ContainmentLevel
  readonly mounts: MountsConfig
  readonly network: NetworkConfig
  readonly identity: IdentityConfig
  /** No `user` was given: a root supervisor's children then run as nobody (65534), others as themselves. */
  readonly userDefaulted: boolean
  readonly hostname: string | undefined
  readonly limits: CgroupLimits | undefined
}

/**
 * What the strict default hides: the supervisor's home, every home, root's, and kakoi's own files.
 *
 * @example
 * ```ts
 * import { defaultHidden } from "./sandbox.ts"
 *
 * defaultHidden("/home/ada", "/opt/kakoi") // ["/home/ada", "/home", "/root", "/opt/kakoi"]
 * ```
 */
export const defaultHidden = (home: string | undefined, kakoi: string): ReadonlyArray<string> =>
  [...new Set([...(home === undefined ? [] : [home]), "/home", "/root", kakoi])]

const related = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)

/**
 * Decodes sandbox() options; `kakoi` is kakoi's install directory (hidden by default).
 *
 * @example
 * ```ts
 * import { decodeSandbox } from "./sandbox.ts"
 *
 * decodeSandbox({}, "/home/ada", "/opt/kakoi") // Success: the strict default
 * decodeSandbox({ netwrok: "none" }, undefined, "/opt/kakoi") // Failure: Unknown option "netwrok": did you mean "network"?
 * ```
 */
export const decodeSandbox = (input: unknown, home: string | undefined, kakoi: string, place: Place = { fence: "sandbox", path: "" }): Result.Result<SandboxConfig, FenceError> =>
  decoded(() => {
    const fields = record(input ?? {}, place, ["filesystem", "network", "user", "capabilities", "diagnoseCapabilities", "hostname", "limits", "containment"])
    const containment = fields.containment === undefined ? "namespaces" : oneOf(fields.containment, at(place, "containment"), containmentLevels)
    const fsPlace = at(place, "filesystem")
    const layout = fields.filesystem === undefined || fields.filesystem === "read-only-host"
      ? { read: [], write: [], hide: [], empty: false }
      : (() => {
        const fs = record(fields.filesystem, fsPlace, ["root", "read", "write", "hide"])
        const paths = (key: string) => (fs[key] === undefined ? [] : list(fs[key], at(fsPlace, key), (item, where) => absolutePath(item, where, home)))
        const read = paths("read")
        // Listing what may be read means "only these"; without a read list the host stays, read-only.
        const root = fs.root === undefined ? (read.length > 0 ? "empty" : "read-only-host") : oneOf(fs.root, at(fsPlace, "root"), ["empty", "read-only-host"] as const)
        if (root === "read-only-host" && read.length > 0) {
          reject(at(fsPlace, "read"), 'with root "read-only-host" every path is readable already', 'leave read out, or use root: "empty" to show only the paths listed')
        }
        return { read, write: paths("write"), hide: paths("hide"), empty: root === "empty" }
      })()
    const shown = [...layout.read, ...layout.write]
    const hide = [...new Set([...layout.hide, ...defaultHidden(home, kakoi).filter((path) => !shown.some((entry) => related(entry, path)))])]
    const namespaces = containment === "namespaces"
    const mounts: MountsConfig = {
      root: layout.empty ? "empty" : "read-only-host",
      readOnly: layout.read,
      writable: layout.write,
      tmpfs: ["/tmp"].filter((path) => !layout.write.includes(path)),
      hide,
      proc: namespaces,
      dev: "minimal"
    }
    return {
      containment,
      mounts,
      network: Result.getOrThrow(decodeNetwork(fields.network ?? "none", at(place, "network"))),
      identity: identityFields(fields, place),
      userDefaulted: fields.user === undefined,
      hostname: fields.hostname === undefined ? undefined : text(fields.hostname, at(place, "hostname")),
      limits: fields.limits === undefined ? undefined : Result.getOrThrow(decodeLimits(fields.limits, at(place, "limits")))
    }
  })

/**
 * A sandbox plan: the fence steps of every part, their releases, and the
 * seccomp policies the network level relies on.
 *
 * @example
 * ```ts
 * import type { SandboxPlan } from "./sandbox.ts"
 *
 * declare const plan: SandboxPlan
 * plan.policies.length // 1 with a TCP network level
 * ```
 */
export interface SandboxPlan extends FencePlan {
  readonly policies: ReadonlyArray<PolicyJson>
}

/**
 * A planner for decoded sandbox configs (parts that keep state, the Landlock rulesets, are made once).
 *
 * @example
 * ```ts
 * import { sandboxPlanner } from "./sandbox.ts"
 *
 * const plan = sandboxPlanner()
 * ```
 */
export const sandboxPlanner = (): ((config: SandboxConfig, host: FenceHost) => Result.Result<SandboxPlan, FenceError>) => {
  const contain = containmentPlanner(undefined)
  const connect = networkPlanner()
  const limit = cgroupPlanner(undefined)
  return (config, host) => {
    const plans: Array<FencePlan> = []
    const release = (): void => plans.forEach((plan) => plan.release())
    const parts: ReadonlyArray<() => Result.Result<FencePlan, FenceError>> = [
      () => contain(config.containment, host),
      () => planMounts(config.mounts, host),
      () => connect(config.network, host),
      // uid 0 without capabilities still owns every root file (/etc/shadow is root's): not a sandbox default.
      // A supervisor that is not root gets every part inside a user namespace of the child's own (inNamespaces).
      () => planIdentity(config.userDefaulted && host.euid === 0 ? { ...config.identity, user: { uid: nobody, gid: nobody } } : config.identity, host, host.euid !== 0),
      () => Result.succeed({ steps: config.hostname === undefined ? [] : inNamespaces(host, [{ kind: "unshare", namespaces: ["uts"] }, { kind: "hostname", name: config.hostname }]), release: () => {} }),
      () => (config.limits === undefined ? Result.succeed({ steps: [], release: () => {} }) : limit(config.limits, host))
    ]
    for (const part of parts) {
      const plan = part()
      if (Result.isFailure(plan)) return release(), Result.fail(plan.failure)
      plans.push(plan.success)
    }
    const policies = plans.flatMap((plan) => plan.policies ?? [])
    const steps = plans.flatMap((plan) => plan.steps)
    // identity's chosen map wins over the self map the other parts ask for when not root.
    const chosen = steps.find((step) => step.kind === "user-namespace" && step.uidMap !== `${host.euid} ${host.euid} 1`)
    return Result.succeed({ steps: chosen === undefined ? steps : steps.filter((step) => step.kind !== "user-namespace" || step === chosen), release, policies,
      diagnose: (exit) => plans.reduce<Diagnosis | undefined>((found, plan) => found ?? plan.diagnose?.(exit), undefined),
      launched: (child, kernel) => Effect.forEach(plans, (plan) => plan.launched?.(child, kernel) ?? Effect.void, { discard: true }),
      owns: (pid) => plans.every((plan) => plan.owns === undefined || plan.owns(pid)) })
  }
}

/**
 * The sandbox preset; with no options, the strict default described above.
 *
 * @example
 * ```ts
 * import { sandbox } from "./sandbox.ts"
 *
 * const strict = sandbox()
 * const job = sandbox({ filesystem: { read: ["/usr", "/lib"], write: ["/tmp/job-42"] }, network: { connect: [443] }, user: "nobody", limits: { memory: "512M", pids: 64 } })
 * ```
 */
export const sandbox = (options: SandboxOptions = {}, home?: string): FencePlugin => ({
  ...fencePlugin("sandbox", "sandbox", decodeSandbox(options, home, kakoiRoot), sandboxPlanner(), (config) => config.identity.diagnose),
  // Its `containment` option (default "namespaces") is the child's level.
  decidesContainment: true
})

const nobody = 65534

/** kakoi's install directory (the package root), hidden from sandboxed children by default. */
const kakoiRoot: string = decodeURIComponent(new URL("../../", import.meta.url).pathname).replace(/\/$/, "")
