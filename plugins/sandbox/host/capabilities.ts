/**
 * What this host offers the fences, and why not where it does not: kernel,
 * Landlock ABI, user/pid/mount/network namespaces (sysctls, AppArmor, and an
 * actual attempt), cgroup v2 and its delegation, ptrace rights for notify
 * listeners, seccomp user notification, io_uring, and the containment level
 * `run` would use. Pure over a HostProbe: `kakoi doctor` prints it, tests
 * feed fake probes.
 */
import { locateCgroup, type CgroupLocation } from "../cgroup/locate.ts"
import type { ContainmentLevel } from "../containment.ts"
import { landlockUnavailable } from "../landlock/ruleset.ts"
import type { HostProbe } from "./probe.ts"
import { constants } from "../../../core/arch/generic.ts"

/**
 * A yes, a no, or "unknown" (the probe could not tell), with the reason in words.
 *
 * @example
 * ```ts
 * import type { Verdict } from "./capabilities.ts"
 *
 * const verdict: Verdict = { status: "no", reason: "user.max_user_namespaces is 0" }
 * ```
 */
export interface Verdict {
  readonly status: "yes" | "no" | "unknown"
  readonly reason: string
}

/**
 * Everything `kakoi doctor` reports.
 *
 * @example
 * ```ts
 * import type { HostCapabilities } from "./capabilities.ts"
 *
 * declare const host: HostCapabilities
 * host.landlock.abi // 7 here
 * ```
 */
export interface HostCapabilities {
  readonly kernel: { readonly release: string; readonly arch: string }
  readonly euid: number | undefined
  readonly landlock: { readonly abi: number | undefined; readonly verdict: Verdict }
  readonly userNamespaces: Verdict
  readonly pidNamespaces: Verdict
  readonly mountNamespaces: Verdict
  readonly networkNamespaces: Verdict
  readonly cgroup: { readonly location: CgroupLocation | undefined; readonly delegated: Verdict; readonly kill: Verdict }
  readonly ptrace: { readonly yamaScope: number | undefined; readonly capSysPtrace: boolean; readonly notify: Verdict }
  readonly seccompUserNotification: Verdict
  readonly ioUring: Verdict
  readonly containment: {
    /**
     * The strongest level this host gives a child that asks (containment("namespaces"), sandbox(),
     * `kakoi run --containment`), or undefined when asking fails with a typed error. `run`
     * without a containment plugin stays at "process-group".
     */
    readonly level: ContainmentLevel | undefined
    readonly reason: string
    readonly levels: Readonly<Record<ContainmentLevel, Verdict>>
  }
}

const yes = (reason: string): Verdict => ({ status: "yes", reason })
const no = (reason: string): Verdict => ({ status: "no", reason })
const unknown = (reason: string): Verdict => ({ status: "unknown", reason })

const number = (text: string | undefined): number | undefined => {
  const value = Number.parseInt((text ?? "").trim(), 10)
  return Number.isNaN(value) ? undefined : value
}

/** A `Name:\tvalue` line of /proc/self/status. */
const statusField = (status: string | undefined, name: string): string | undefined =>
  status?.split("\n").find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim()

const hasCapability = (status: string | undefined, cap: number): boolean => {
  const effective = statusField(status, "CapEff")
  return effective !== undefined && ((BigInt(`0x${effective}`) >> BigInt(cap)) & 1n) === 1n
}

/** What a failed unshare(1) most likely hit, in the order a host says no. */
const userNamespaceVerdict = (probe: HostProbe, euid: number | undefined): Verdict => {
  const max = number(probe.readFile("/proc/sys/user/max_user_namespaces"))
  if (max === 0) return no("user.max_user_namespaces is 0: set it above 0 (sysctl -w user.max_user_namespaces=15000)")
  const unprivileged = euid !== 0
  if (unprivileged && number(probe.readFile("/proc/sys/kernel/unprivileged_userns_clone")) === 0) {
    return no("kernel.unprivileged_userns_clone is 0: unprivileged users may not create user namespaces (sysctl -w kernel.unprivileged_userns_clone=1)")
  }
  const apparmor = unprivileged && number(probe.readFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")) === 1
  const attempt = probe.attempt(["unshare", "--user", "--map-root-user", "true"])
  if (attempt === undefined) return unknown("cannot try: unshare(1) is not installed (apt-get install util-linux)")
  if (attempt.status === 0) return yes("unshare --user succeeded")
  if (apparmor) {
    return no("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1, as on Ubuntu 23.10+): give the runtime an AppArmor profile with \"userns,\" or set the sysctl to 0")
  }
  return no(`unshare --user failed (${attempt.stderr || `status ${attempt.status}`}): an outer container's seccomp profile (Docker's default) or an LSM denies it; run with --security-opt seccomp=... that allows clone/unshare of user namespaces`)
}

/** One more namespace, inside a user namespace unless the supervisor is root. */
const namespaceVerdict = (probe: HostProbe, euid: number | undefined, flag: string, name: string, users: Verdict): Verdict => {
  const argv = euid === 0 ? ["unshare", flag, "--fork", "true"] : ["unshare", "--user", "--map-root-user", flag, "--fork", "true"]
  if (euid !== 0 && users.status !== "yes") return no(`needs a user namespace (not root): ${users.reason}`)
  const attempt = probe.attempt(argv)
  if (attempt === undefined) return unknown("cannot try: unshare(1) is not installed (apt-get install util-linux)")
  return attempt.status === 0 ? yes(`${argv.join(" ")} succeeded`) : no(`${name} namespaces are refused: ${attempt.stderr || `status ${attempt.status}`}`)
}

const releaseAtLeast = (release: string, major: number, minor: number): boolean => {
  const [a = 0, b = 0] = release.split(/[.-]/).map((part) => Number.parseInt(part, 10))
  return a > major || (a === major && b >= minor)
}

const cgroupVerdicts = (probe: HostProbe, location: CgroupLocation | string, release: string): HostCapabilities["cgroup"] => {
  if (typeof location === "string") return { location: undefined, delegated: no(location), kill: no(location) }
  const files = [location.path, `${location.path}/cgroup.procs`, `${location.path}/cgroup.subtree_control`]
  const blocked = files.find((file) => !probe.writable(file))
  const delegated = blocked === undefined
    ? yes(`${location.path} is writable: kakoi can create a cgroup per child beneath it`)
    : no(`${blocked} is not writable by this user: run the supervisor in a delegated cgroup (systemd: Delegate=yes, or systemd-run --user --scope -p Delegate=yes)`)
  const kill = releaseAtLeast(release, 5, 14) ? yes("cgroup.kill (Linux 5.14+) ends every process of a cgroup at once") : no(`cgroup.kill needs Linux 5.14; this is ${release}`)
  return { location, delegated, kill }
}

const ptraceVerdicts = (probe: HostProbe, status: string | undefined): HostCapabilities["ptrace"] => {
  const yamaScope = number(probe.readFile("/proc/sys/kernel/yama/ptrace_scope"))
  const capSysPtrace = hasCapability(status, constants.CAP_SYS_PTRACE)
  const notify = yamaScope === undefined || yamaScope <= 1
    ? yes(yamaScope === undefined ? "no Yama: the supervisor may pidfd_getfd from its own children" : `Yama ptrace_scope ${yamaScope} lets a parent reach its descendants`)
    : yamaScope === 2 && capSysPtrace
      ? yes("Yama ptrace_scope 2 and the supervisor holds CAP_SYS_PTRACE")
      : no(`Yama ptrace_scope ${yamaScope} forbids pidfd_getfd${yamaScope === 2 ? " without CAP_SYS_PTRACE" : ""}: notify listeners cannot be fetched (sysctl -w kernel.yama.ptrace_scope=1)`)
  return { yamaScope, capSysPtrace, notify }
}

const ioUringVerdict = (probe: HostProbe): Verdict => {
  const disabled = number(probe.readFile("/proc/sys/kernel/io_uring_disabled"))
  const setup = probe.ioUringSetup()
  const state = disabled === undefined ? "" : ` (kernel.io_uring_disabled=${disabled})`
  return setup === 0
    ? yes(`io_uring_setup succeeds${state}: its operations bypass seccomp rules on the syscalls they replace; deny io_uring_setup in policies`)
    : no(`io_uring_setup fails with errno ${-setup}${state}`)
}

const containmentOf = (namespaces: Verdict, cgroup: HostCapabilities["cgroup"]): HostCapabilities["containment"] => {
  const cgroupLevel = cgroup.delegated.status === "yes" && cgroup.kill.status === "yes"
    ? yes("a cgroup per child beneath the supervisor's, ended with cgroup.kill")
    : no(cgroup.delegated.status === "yes" ? cgroup.kill.reason : cgroup.delegated.reason)
  const levels = {
    namespaces: namespaces.status === "yes" ? yes("a pid namespace per child (in a user namespace unless root), its init ends everything in it") : namespaces,
    cgroup: cgroupLevel,
    "process-group": yes("always: a process group and a parent-death signal; descendants that setsid or clear the signal escape")
  } as const
  if (namespaces.status === "yes") return { level: "namespaces", reason: levels.namespaces.reason, levels }
  const weaker = cgroupLevel.status === "yes" ? '"cgroup" or "process-group"' : '"process-group"'
  return { level: undefined, reason: `every child (the default, containment("namespaces"), sandbox()) fails with a typed error here unless it chooses ${weaker}: ${namespaces.reason}`, levels }
}

/**
 * Asks the probe everything and gives the verdicts.
 *
 * @example
 * ```ts
 * import { hostCapabilities } from "./capabilities.ts"
 * import { systemProbe } from "./probe.ts"
 * import type { Kernel } from "../../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * hostCapabilities(systemProbe(kernel)).containment.level // "namespaces" here
 * ```
 */
export const hostCapabilities = (probe: HostProbe): HostCapabilities => {
  const release = (probe.readFile("/proc/sys/kernel/osrelease") ?? "unknown").trim()
  const arch = (probe.readFile("/proc/sys/kernel/arch") ?? "unknown").trim()
  const status = probe.readFile("/proc/self/status")
  const euid = number(statusField(status, "Uid")?.split(/\s+/)[1])
  const abi = probe.landlockAbi()
  const landlock = abi >= 1 ? { abi, verdict: yes(`Landlock ABI ${abi}`) } : { abi: undefined, verdict: no(landlockUnavailable(abi)) }
  const userNamespaces = userNamespaceVerdict(probe, euid)
  const pidNamespaces = namespaceVerdict(probe, euid, "--pid", "pid", userNamespaces)
  const mountNamespaces = namespaceVerdict(probe, euid, "--mount", "mount", userNamespaces)
  const cgroup = cgroupVerdicts(probe, locateCgroup(probe.readFile), release)
  const actions = probe.readFile("/proc/sys/kernel/seccomp/actions_avail") ?? ""
  return {
    kernel: { release, arch },
    euid,
    landlock,
    userNamespaces,
    pidNamespaces,
    mountNamespaces,
    networkNamespaces: namespaceVerdict(probe, euid, "--net", "network", userNamespaces),
    cgroup,
    ptrace: ptraceVerdicts(probe, status),
    seccompUserNotification: actions.split(/\s+/).includes("user_notif")
      ? yes("SECCOMP_RET_USER_NOTIF is available")
      : no("the kernel lacks SECCOMP_RET_USER_NOTIF (Linux 5.0+): notify rules and trap handlers cannot work"),
    ioUring: ioUringVerdict(probe),
    // "namespaces" needs both: the pid namespace and a mount namespace for its own /proc.
    containment: containmentOf(pidNamespaces.status === "yes" ? mountNamespaces : pidNamespaces, cgroup)
  }
}
