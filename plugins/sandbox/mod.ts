/**
 * Fences beyond seccomp: filesystem (mount namespace, Landlock), network,
 * identity, cgroup v2 limits, containment levels, and the sandbox() preset
 * that composes them; plus hostCapabilities(), what this host offers them
 * (`kakoi doctor`). Every fence plugin decodes its options strictly when made
 * (a bad option fails the spawn with a typed FenceError) and returns its
 * preExec steps, which the child program runs between clone and execve; the
 * plugins read the host through the KernelService (core/host/kernel.ts).
 *
 * @example
 * ```ts
 * import { sandbox } from "kakoi/sandbox"
 *
 * const plugins = [sandbox({ filesystem: { read: ["/usr", "/lib"], write: ["/tmp/job-42"] }, network: "none", user: "nobody" })]
 * ```
 */
export { FenceError, type Fence, type FenceErrorReason } from "./errors.ts"
export { fencePlugin, inNamespaces, systemFenceHost, type FenceHost, type FencePlan, type FencePlugin, type FencePluginError } from "./plugin.ts"
export { KernelService, kernelFromLibc, type Kernel } from "../../core/host/kernel.ts"
export { sandbox, decodeSandbox, sandboxPlanner, defaultHidden, type SandboxConfig, type SandboxOptions, type SandboxPlan } from "./sandbox.ts"
export { landlock, landlockPlanner } from "./landlock/plugin.ts"
export { decodeLandlock, type LandlockOptions } from "./landlock/options.ts"
export { createRuleset, landlockAbi, landlockUnavailable, type LandlockRules, type Ruleset } from "./landlock/ruleset.ts"
export { fsAccesses, type FsAccess, type LandlockScope, type NetAccess } from "./landlock/access.ts"
export { mounts } from "./mounts/plugin.ts"
export { decodeMounts, type MountsConfig, type MountsOptions } from "./mounts/options.ts"
export { planMounts } from "./mounts/plan.ts"
export { network, decodeNetwork, networkPlanner, tcpOnlyPolicy, type NetworkConfig, type NetworkOption, type NetworkPlan } from "./network.ts"
export { identity, decodeIdentity, planIdentity, type IdentityConfig, type IdentityOptions } from "./identity.ts"
export { capabilityNames, capabilityLabel, decodeCapability, type CapabilityName, type CapabilityOption } from "./capabilities.ts"
export { capabilityWatch, diagnoseRefused, type CapabilityWatch, type RefusedCall } from "./capability-watch.ts"
export { cgroup, cgroupPlanner, type CgroupPlan } from "./cgroup/plugin.ts"
export { decodeLimits, limitHit, type CgroupLimitOptions, type CgroupLimits, type LimitHit } from "./cgroup/limits.ts"
export { diagnoseLimit } from "./cgroup/diagnosis.ts"
export { openCgroupManager, type CgroupManager, type ChildCgroup } from "./cgroup/manager.ts"
export { locateCgroup, type CgroupLocation } from "./cgroup/locate.ts"
export { containment, containmentLevels, containmentPlanner, type ContainmentLevel } from "./containment.ts"
export { hostCapabilities, type HostCapabilities, type Verdict } from "./host/capabilities.ts"
export { systemProbe, runAttempt, type Attempt, type HostProbe } from "./host/probe.ts"
export { formatCapabilities } from "./host/report.ts"
export { doctor } from "./host/doctor.ts"
export { explainFenceFailure } from "./explain.ts"
export { writeIdMaps } from "./id-maps.ts"
