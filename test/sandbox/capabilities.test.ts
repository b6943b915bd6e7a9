/**
 * hostCapabilities: on this machine for real (Landlock ABI 7, user namespaces
 * allowed, root, cgroup v1 hybrid with a controller-less cgroup2 mount, no
 * Yama), and against fake probes for every "no" a host can answer.
 */
import { describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { hostCapabilities } from "../../plugins/sandbox/host/capabilities.ts"
import { type Attempt, type HostProbe, systemProbe } from "../../plugins/sandbox/host/probe.ts"

describe("hostCapabilities on this machine", () => {
  const host = hostCapabilities(systemProbe(kernelFromLibc(nodeLibc())))

  it("reports the kernel, Landlock ABI 7 and namespaces that can be made", () => {
    expect(host.kernel).toEqual({ release: expect.stringMatching(/^6\.18\./), arch: "x86_64" })
    expect(host.euid).toBe(0)
    expect(host.landlock).toEqual({ abi: 7, verdict: { status: "yes", reason: "Landlock ABI 7" } })
    expect([host.userNamespaces, host.pidNamespaces, host.mountNamespaces, host.networkNamespaces].map((verdict) => verdict.status)).toEqual(["yes", "yes", "yes", "yes"])
  })

  it("finds the controller-less cgroup2 mount beside cgroup v1 and, as root, may write it", () => {
    expect(host.cgroup.location).toMatchObject({ mount: "/sys/fs/cgroup/unified", cgroup: "/", hybrid: true, controllers: ["hugetlb"], subtreeControl: [] })
    expect([host.cgroup.delegated.status, host.cgroup.kill.status]).toEqual(["yes", "yes"])
  })

  it("sees no Yama, notify support, and picks namespaces as the containment level", () => {
    expect(host.ptrace).toMatchObject({ yamaScope: undefined, capSysPtrace: true, notify: { status: "yes" } })
    expect(host.seccompUserNotification.status).toBe("yes")
    expect(host.containment.level).toBe("namespaces")
  })
})

/** A host that says yes to everything, as files; each test changes what it needs. */
const files: Readonly<Record<string, string>> = {
  "/proc/sys/kernel/osrelease": "6.8.0-generic\n",
  "/proc/sys/kernel/arch": "x86_64\n",
  "/proc/self/status": "Name:\tnode\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n",
  "/proc/sys/user/max_user_namespaces": "63000\n",
  "/proc/self/mountinfo": "30 24 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
  "/proc/self/cgroup": "0::/user.slice/user-1000.slice/app.scope\n",
  "/sys/fs/cgroup/user.slice/user-1000.slice/app.scope/cgroup.controllers": "cpu memory pids\n",
  "/sys/fs/cgroup/user.slice/user-1000.slice/app.scope/cgroup.subtree_control": "\n",
  "/proc/sys/kernel/seccomp/actions_avail": "kill_process kill_thread trap errno user_notif trace log allow\n",
  "/proc/sys/kernel/io_uring_disabled": "0\n"
}

const fake = (change: { readonly files?: Readonly<Record<string, string | undefined>>; readonly writable?: boolean; readonly abi?: number; readonly attempt?: (argv: ReadonlyArray<string>) => Attempt } = {}): HostProbe => {
  const all: Readonly<Record<string, string | undefined>> = { ...files, ...change.files }
  return {
    readFile: (path) => all[path],
    writable: () => change.writable ?? true,
    landlockAbi: () => change.abi ?? 4,
    ioUringSetup: () => -1,
    attempt: change.attempt ?? (() => ({ status: 0, stderr: "" }))
  }
}

const refused: Attempt = { status: 1, stderr: "unshare: unshare failed: Operation not permitted" }

describe("hostCapabilities says why not", () => {
  it("user.max_user_namespaces = 0", () => {
    const host = hostCapabilities(fake({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } }))
    expect(host.userNamespaces).toEqual({ status: "no", reason: expect.stringContaining("user.max_user_namespaces is 0") })
    expect(host.pidNamespaces.reason).toContain("needs a user namespace (not root)")
    expect(host.containment.level).toBeUndefined()
    expect(host.containment.reason).toMatch(/^every child \(the default, containment\("namespaces"\), sandbox\(\)\) fails with a typed error here unless it chooses "cgroup" or "process-group"/)
  })

  it("kernel.unprivileged_userns_clone = 0 stops a non-root supervisor", () => {
    const host = hostCapabilities(fake({ files: { "/proc/sys/kernel/unprivileged_userns_clone": "0\n" } }))
    expect(host.userNamespaces.reason).toContain("kernel.unprivileged_userns_clone is 0")
  })

  it("AppArmor's restriction, when the attempt fails", () => {
    const host = hostCapabilities(fake({ files: { "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n" }, attempt: () => refused }))
    expect(host.userNamespaces.reason).toContain("AppArmor restricts unprivileged user namespaces")
  })

  it("an outer container's seccomp profile, when nothing else explains the failure", () => {
    const host = hostCapabilities(fake({ attempt: () => refused }))
    expect(host.userNamespaces).toEqual({ status: "no", reason: expect.stringContaining("unshare --user failed (unshare: unshare failed: Operation not permitted): an outer container's seccomp profile") })
  })

  it("no unshare(1) to try with", () => {
    expect(hostCapabilities(fake({ attempt: () => undefined })).userNamespaces.status).toBe("unknown")
  })

  it("no Landlock, and an ABI without scoping", () => {
    expect(hostCapabilities(fake({ abi: -38 })).landlock).toEqual({ abi: undefined, verdict: { status: "no", reason: "the kernel is built without Landlock (CONFIG_SECURITY_LANDLOCK)" } })
    expect(hostCapabilities(fake({ abi: -95 })).landlock.verdict.reason).toContain("disabled at boot")
  })

  it("an undelegated cgroup, and no cgroup2 at all", () => {
    const undelegated = hostCapabilities(fake({ writable: false }))
    expect(undelegated.cgroup.delegated.reason).toContain("/sys/fs/cgroup/user.slice/user-1000.slice/app.scope is not writable by this user")
    expect(undelegated.containment.levels.cgroup.status).toBe("no")
    const v1 = hostCapabilities(fake({ files: { "/proc/self/mountinfo": "30 24 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" } }))
    expect(v1.cgroup).toMatchObject({ location: undefined, delegated: { status: "no", reason: expect.stringContaining("no cgroup2 file system is mounted") } })
  })

  it("a delegated cgroup v2 with controllers is the cgroup level", () => {
    const host = hostCapabilities(fake())
    expect(host.cgroup.location).toMatchObject({ path: "/sys/fs/cgroup/user.slice/user-1000.slice/app.scope", hybrid: false, controllers: ["cpu", "memory", "pids"] })
    expect(host.containment.levels.cgroup.status).toBe("yes")
  })

  it("Yama 2 without CAP_SYS_PTRACE, and Yama 3, forbid fetching listeners", () => {
    expect(hostCapabilities(fake({ files: { "/proc/sys/kernel/yama/ptrace_scope": "1\n" } })).ptrace.notify.status).toBe("yes")
    expect(hostCapabilities(fake({ files: { "/proc/sys/kernel/yama/ptrace_scope": "2\n" } })).ptrace.notify.reason).toContain("without CAP_SYS_PTRACE")
    const root = { "/proc/self/status": "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n", "/proc/sys/kernel/yama/ptrace_scope": "2\n" }
    expect(hostCapabilities(fake({ files: root })).ptrace.notify.status).toBe("yes")
    expect(hostCapabilities(fake({ files: { "/proc/sys/kernel/yama/ptrace_scope": "3\n" } })).ptrace.notify.status).toBe("no")
  })

  it("no user notification", () => {
    expect(hostCapabilities(fake({ files: { "/proc/sys/kernel/seccomp/actions_avail": "kill_process errno allow\n" } })).seccompUserNotification.status).toBe("no")
  })
})
