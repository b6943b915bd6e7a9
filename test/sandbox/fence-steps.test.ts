/** Unit tests of the fence steps' order and of the data their sequences lay out. */
import { describe, expect, it } from "vitest"
import { fenceCalls } from "../../core/fence-calls.ts"
import { namespaceFlags } from "../../core/fence-namespaces.ts"
import { type FenceStep, orderFenceSteps } from "../../core/fence-steps.ts"

describe("orderFenceSteps", () => {
  it("puts cgroup, namespaces, maps, mounts, names, identity and Landlock in the kernel's order", () => {
    const steps: ReadonlyArray<FenceStep> = [
      { kind: "landlock-restrict", rulesetFd: 12, flags: 0 },
      { kind: "ids", uid: 65534, gid: 65534 },
      { kind: "hostname", name: "h" },
      { kind: "clear-capabilities", keep: [] },
      { kind: "mount", source: "tmpfs", target: "/tmp", fstype: "tmpfs", flags: 0n, data: undefined },
      { kind: "groups", groups: [] },
      { kind: "drop-bounding", keep: [], lastCap: 40 },
      { kind: "id-map", writer: "self", uid: [], gid: [] },
      { kind: "mount-point", path: "/tmp/x", type: "directory" },
      { kind: "unshare", namespaces: ["user", "mount"] },
      { kind: "join-cgroup", procsFd: 11, path: "/sys/fs/cgroup/job/cgroup.procs" }
    ]
    expect(orderFenceSteps(steps).map((step) => step.kind)).toEqual([
      "join-cgroup", "unshare", "id-map", "mount", "mount-point", "hostname", "drop-bounding", "groups", "ids", "clear-capabilities", "landlock-restrict"
    ])
  })
})

describe("fenceCalls", () => {
  it("unshares every namespace named, in one call", () => {
    expect(namespaceFlags(["user", "pid", "mount", "network", "uts", "ipc", "cgroup"])).toBe(0x7e020000n)
    expect(fenceCalls({ kind: "unshare", namespaces: ["user", "network"] })).toEqual({ subject: "user,network", calls: [{ syscall: "unshare", args: [{ value: 0x50000000n }], tolerate: [] }] })
  })

  it("writes setgroups before the maps, each in one write", () => {
    const plan = fenceCalls({ kind: "id-map", writer: "self", uid: [{ inside: 0, outside: 1000, count: 1 }], gid: [{ inside: 0, outside: 1000, count: 1 }] })
    if (plan === "interpreter") throw new Error("expected a flat sequence")
    const files = plan.calls.filter((call) => call.syscall === "openat").map((call) => call.args[1])
    const texts = plan.calls.filter((call) => call.syscall === "write").map((call) => new TextDecoder().decode((call.args[1] as { readonly bytes: Uint8Array }).bytes))
    expect(files).toEqual([{ string: "/proc/self/setgroups" }, { string: "/proc/self/uid_map" }, { string: "/proc/self/gid_map" }])
    expect(texts).toEqual(["deny", "0 1000 1\n", "0 1000 1\n"])
  })

  it("leaves control flow (pid-init) and maps the supervisor writes to the interpreter", () => {
    expect(fenceCalls({ kind: "pid-init", forwardSignals: [15] })).toBe("interpreter")
    expect(fenceCalls({ kind: "id-map", writer: "supervisor", uid: [], gid: [] })).toBe("interpreter")
  })

  it("drops every bounding capability but the kept ones", () => {
    const plan = fenceCalls({ kind: "drop-bounding", keep: [7], lastCap: 9 })
    if (plan === "interpreter") throw new Error("expected a flat sequence")
    expect(plan.calls.map((call) => call.args[1])).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9].map((cap) => ({ value: BigInt(cap) })))
  })

  it("passes the supervisor's ruleset fd through to landlock_restrict_self after no_new_privs", () => {
    const plan = fenceCalls({ kind: "landlock-restrict", rulesetFd: 12, flags: 0 })
    if (plan === "interpreter") throw new Error("expected a flat sequence")
    expect(plan.calls.map((call) => call.syscall)).toEqual(["prctl", "landlock_restrict_self", "close"])
    expect(plan.calls[1]?.args[0]).toEqual({ inheritedFd: 12 })
  })
})
