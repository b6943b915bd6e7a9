/**
 * What every fence plugin shares: options decoded strictly when the plugin is
 * made (a bad option fails the spawn before any process exists), a `plan`
 * that turns them into preExec steps for one child against the running host
 * (and prepares what the supervisor holds for it: a Landlock ruleset fd, a
 * cgroup), and the kakoi Plugin hooks: `preExec` returns the plan's steps
 * (plus the seccomp companion policies a plan asks for, compiled through the
 * seccomp plugin), `exit` releases what the plan holds for that child.
 * The host is read through the KernelService the adapter's layer provides.
 */
import { Effect, Result } from "effect"
import type { Diagnosis, ExitResult } from "../../core/exit.ts"
import { KernelService, readText, type Kernel } from "../../core/host/kernel.ts"
import type { LaunchingChild } from "../../core/plugin.ts"
import type { LaunchFailure } from "../../core/program/mod.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { statusMask } from "./capabilities.ts"
import { explainFenceFailure } from "./explain.ts"
import type { PolicyError } from "../seccomp/errors.ts"
import type { PolicyJson } from "../seccomp/json.ts"
import type { SeccompLibrary } from "../seccomp/library.ts"
import { NotifyError } from "../seccomp/notify/errors.ts"
import { seccomp } from "../seccomp/plugin.ts"
import { type Fence, FenceError } from "./errors.ts"

/**
 * The host facts and the Kernel port a plan needs.
 *
 * @example
 * ```ts
 * import type { FenceHost } from "./plugin.ts"
 *
 * declare const kernel: FenceHost["kernel"]
 * const host: FenceHost = { kernel, euid: 1000, egid: 1000, lastCap: 40, capabilities: 0n, readFile: () => undefined }
 * ```
 */
export interface FenceHost {
  readonly kernel: Kernel
  readonly euid: number
  readonly egid: number
  /** /proc/sys/kernel/cap_last_cap: the highest capability number this kernel knows. */
  readonly lastCap: number
  /** The supervisor's effective capabilities (CapEff): what its children can be given, and what identity steps outside a user namespace need. */
  readonly capabilities: bigint
  readonly readFile: (path: string) => string | undefined
}

/**
 * One child's share of a fence: its steps, seccomp policies that must come
 * with them (network's TCP-only companion), and what to release in the
 * supervisor when the child has ended.
 *
 * @example
 * ```ts
 * import type { FencePlan } from "./plugin.ts"
 *
 * const plan: FencePlan = { steps: [{ kind: "hostname", name: "box" }], release: () => {} }
 * ```
 */
export interface FencePlan {
  readonly steps: ReadonlyArray<PreExecStep>
  readonly policies?: ReadonlyArray<PolicyJson>
  readonly release: () => void
  /** Why the child ended, when what the plan holds can tell (a cgroup's events); asked before `release`. */
  readonly diagnose?: (exit: ExitResult) => Diagnosis | undefined
  /**
   * Whether the child with this pid is the one planned for (a cgroup plan
   * knows its members), so that a spawn that failed after its preExec cannot
   * make another child's exit release the wrong plan.
   */
  readonly owns?: (pid: number) => boolean
  /** Talks to the child while it prepares (the capability watch's notify listener); only asked of plugins made with `launches`. */
  readonly launched?: (child: LaunchingChild, kernel: Kernel) => Effect.Effect<void, NotifyError, SeccompLibrary>
}

/**
 * The errors a fence plugin's hooks fail with: its own, and the seccomp companion's.
 *
 * @example
 * ```ts
 * import type { FencePluginError } from "./plugin.ts"
 *
 * declare const error: FencePluginError
 * error._tag // "FenceError" | "PolicyError" | ...
 * ```
 */
export type FencePluginError = FenceError | PolicyError | NotifyError

/**
 * A fence plugin: a kakoi Plugin plus its plan. Its hooks take the spec as
 * `unknown` (they read nothing of it but its identity), so it fits any run's
 * `Plugin<E, R>` whose errors include FencePluginError and whose services
 * include the KernelService and the SeccompLibrary.
 *
 * @example
 * ```ts
 * import type { FencePlugin } from "./plugin.ts"
 *
 * declare const fence: FencePlugin
 * fence.name // "landlock"
 * ```
 */
export interface FencePlugin {
  readonly name: string
  readonly fence: Fence
  /** Set by the plugins that choose the child's containment level (containment(), sandbox()). */
  readonly decidesContainment?: boolean
  readonly spawn: <Spec>(spec: Spec) => Effect.Effect<Spec, FenceError>
  readonly preExec: (spec: unknown) => Effect.Effect<ReadonlyArray<PreExecStep>, FencePluginError, KernelService | SeccompLibrary>
  readonly launched?: (child: LaunchingChild, spec: unknown) => Effect.Effect<void, NotifyError, KernelService | SeccompLibrary>
  readonly exec: (child: { readonly pid: number; readonly spec: unknown }) => Effect.Effect<void>
  readonly exit: (exit: ExitResult, spec: unknown) => Effect.Effect<ExitResult>
  /** A child that never ran its target: its plan is released, and a fence the host refused fails with its FenceError. */
  readonly failed: (failure: LaunchFailure, spec: unknown) => Effect.Effect<void, FenceError, KernelService>
  readonly plan: (host: FenceHost) => Result.Result<FencePlan, FenceError>
}

/**
 * The facts of the running host, read through the Kernel port.
 *
 * @example
 * ```ts
 * import { systemFenceHost } from "./plugin.ts"
 * import type { Kernel } from "../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * systemFenceHost(kernel).lastCap // 40 on Linux 6.18
 * ```
 */
export const systemFenceHost = (kernel: Kernel): FenceHost => {
  const readFile = (path: string): string | undefined => {
    const text = readText(kernel, path)
    return typeof text === "string" ? text : undefined
  }
  const status = readFile("/proc/self/status") ?? ""
  const ids = (name: string): number => Number(status.match(new RegExp(`^${name}:\\s+\\d+\\s+(\\d+)`, "m"))?.[1] ?? Number.NaN)
  return {
    kernel, euid: ids("Uid"), egid: ids("Gid"), lastCap: Number(readFile("/proc/sys/kernel/cap_last_cap") ?? Number.NaN),
    // Unreadable counts as holding nothing: a plan then refuses what needs a capability instead of assuming it.
    capabilities: statusMask(status, "CapEff") ?? 0n, readFile
  }
}

/**
 * A plan with no steps and nothing to release.
 *
 * @example
 * ```ts
 * import { emptyPlan } from "./plugin.ts"
 *
 * emptyPlan.steps // []
 * ```
 */
export const emptyPlan: FencePlan = { steps: [], release: () => {} }

/**
 * The steps of a fence that asks for namespaces: a supervisor that is not
 * root gets them inside a user namespace that maps its own uid and gid to
 * themselves (only a user namespace makes the others possible without
 * privilege; the program compiler merges the same step from several fences).
 *
 * @example
 * ```ts
 * import { inNamespaces, type FenceHost } from "./plugin.ts"
 *
 * declare const host: FenceHost
 * inNamespaces(host, [{ kind: "unshare", namespaces: ["network"] }])
 * // as uid 1000: [{ kind: "user-namespace", uidMap: "1000 1000 1", gidMap: "1000 1000 1", anyMap: true }, { kind: "unshare", ... }]
 * ```
 */
export const inNamespaces = (host: FenceHost, steps: ReadonlyArray<PreExecStep>): ReadonlyArray<PreExecStep> =>
  host.euid === 0 ? steps : [{ kind: "user-namespace", uidMap: `${host.euid} ${host.euid} 1`, gidMap: `${host.egid} ${host.egid} 1`, anyMap: true }, ...steps]

const hosts = new WeakMap<Kernel, FenceHost>()
const hostOf = (kernel: Kernel): FenceHost => {
  const known = hosts.get(kernel) ?? systemFenceHost(kernel)
  hosts.set(kernel, known)
  return known
}

/**
 * Builds a fence plugin from decoded options (or their error) and a planner.
 * Per child: `preExec` plans (the spawn fails with the plan's FenceError, and
 * nothing is started), `exec` ties what the plan holds to the child's pid,
 * `exit` asks the plan's `diagnose` (unless another plugin already explained
 * the exit) and releases it. `launches`: whether plans of these options talk
 * to the child while it prepares (the plugin then has a `launched` hook, which
 * costs the spawn a fiber; others have none).
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { fencePlugin } from "./plugin.ts"
 *
 * const hostname = fencePlugin("uts", "sandbox", Result.succeed("box"), (name) =>
 *   Result.succeed({ steps: [{ kind: "unshare", namespaces: ["uts"] }, { kind: "hostname", name }], release: () => {} }))
 * ```
 */
export const fencePlugin = <Options>(
  name: string,
  fence: Fence,
  options: Result.Result<Options, FenceError>,
  plan: (options: Options, host: FenceHost) => Result.Result<FencePlan, FenceError>,
  launches: (options: Options) => boolean = () => false
): FencePlugin => {
  // Plans of children by spec until their exec names the pid, then releases by pid until their exit.
  const pending = new Map<unknown, Array<FencePlan>>()
  // Plans a `launched` hook took for a child, by its pid, so that its exec finds the same plan.
  const launching = new Map<number, FencePlan>()
  const running = new Map<number, FencePlan>()
  const companions = new Map<PolicyJson, ReturnType<typeof seccomp<never>>>()
  const companion = (policy: PolicyJson): ReturnType<typeof seccomp<never>> => {
    const known = companions.get(policy) ?? seccomp(policy)
    companions.set(policy, known)
    return known
  }
  const planFor = (host: FenceHost): Result.Result<FencePlan, FenceError> =>
    Result.isFailure(options) ? Result.fail(options.failure) : plan(options.success, host)
  return {
    name,
    fence,
    plan: planFor,
    spawn: (spec) => (Result.isFailure(options) ? Effect.fail(options.failure) : Effect.succeed(spec)),
    // Combinators, not a generator: this runs for every spawn (the containment plugin is every child's).
    preExec: (spec) =>
      Effect.flatMap(KernelService, (kernel): Effect.Effect<ReadonlyArray<PreExecStep>, FencePluginError, SeccompLibrary> => {
        const result = planFor(hostOf(kernel))
        if (Result.isFailure(result)) return Effect.fail(result.failure)
        const planned = result.success
        const queue = pending.get(spec) ?? []
        queue.push(planned)
        pending.set(spec, queue)
        const policies = planned.policies ?? []
        if (policies.length === 0) return Effect.succeed(planned.steps)
        const extra = Effect.forEach(policies, (policy) => companion(policy).preExec?.(spec as never) ?? Effect.succeed<ReadonlyArray<PreExecStep>>([]))
        return Effect.map(extra, (more): ReadonlyArray<PreExecStep> => [...planned.steps, ...more.flat()])
      }),
    ...(Result.isSuccess(options) && launches(options.success)
      ? {
        launched: (child: LaunchingChild, spec: unknown) =>
          Effect.gen(function*() {
            const kernel = yield* KernelService
            // The oldest plan not yet taken by another launching child of this spec.
            const taken = new Set(launching.values())
            const plan = (pending.get(spec) ?? []).find((candidate) => !taken.has(candidate))
            // A plan that installs a listener must serve it, or the child would wait for it: fail the start instead.
            if (plan === undefined) return yield* new NotifyError({ reason: "ListenerLost", subject: name, detail: `no ${name} plan is waiting for this child's listener` })
            launching.set(child.pid, plan)
            if (plan.launched !== undefined) yield* plan.launched(child, kernel)
          })
      }
      : {}),
    exec: ({ pid, spec }) =>
      Effect.sync(() => {
        const queue = pending.get(spec) ?? []
        const held = launching.get(pid)
        launching.delete(pid)
        // The plan its launched hook took, else the oldest that may be this child's: one that knows its members must list the pid.
        const index = held !== undefined ? queue.indexOf(held) : queue.findIndex((plan) => plan.owns === undefined || plan.owns(pid))
        const [plan] = index < 0 ? [] : queue.splice(index, 1)
        if (queue.length === 0) pending.delete(spec)
        if (plan !== undefined) running.set(pid, plan)
      }),
    exit: (exit) =>
      Effect.sync(() => {
        const plan = running.get(exit.pid)
        running.delete(exit.pid)
        // A diagnosis already there (seccomp's) stays: this plan only explains what nothing else did.
        const diagnosis = exit.diagnosis ?? plan?.diagnose?.(exit)
        plan?.release()
        return diagnosis === exit.diagnosis ? exit : { ...exit, diagnosis }
      }),
    failed: (failure, spec) =>
      Effect.gen(function*() {
        const queue = pending.get(spec) ?? []
        // The newest plan for this spec is the one whose child just failed (a start is one fiber from preExec to here).
        const plan = queue.pop()
        for (const [pid, held] of launching) if (held === plan) launching.delete(pid)
        plan?.release()
        if (queue.length === 0) pending.delete(spec)
        const host = hostOf(yield* KernelService)
        const explained = explainFenceFailure(failure.stage, failure.errno, host.euid, host.capabilities, failure.subject)
        if (explained !== undefined) return yield* explained
      })
  }
}
