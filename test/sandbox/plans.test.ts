/**
 * The planners' steps for a given host, with fake host facts (uid, files):
 * identity by name, the containment levels, Landlock option decoding and the host-limit errors.
 */
import { Result } from "effect"
import { constants } from "../../core/arch/generic.ts"
import { describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { containmentPlanner } from "../../plugins/sandbox/containment.ts"
import { explainFenceFailure } from "../../plugins/sandbox/explain.ts"
import { decodeIdentity, planIdentity } from "../../plugins/sandbox/identity.ts"
import { fsRights, fsRightsOf, missingFor } from "../../plugins/sandbox/landlock/access.ts"
import { decodeLandlock } from "../../plugins/sandbox/landlock/options.ts"
import type { FenceHost } from "../../plugins/sandbox/plugin.ts"

const kernel = kernelFromLibc(nodeLibc())
const files: Readonly<Record<string, string>> = {
  "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nada:x:1000:1000::/home/ada:/bin/sh\n",
  "/etc/group": "root:x:0:\nnogroup:x:65534:\nstaff:x:50:ada\n"
}
const hostAs = (euid: number, capabilities = euid === 0 ? 0x1ffffffffffn : 0n): FenceHost => ({ kernel, euid, egid: euid, lastCap: 40, capabilities, readFile: (path) => files[path] })

const plan = (input: unknown, host: FenceHost): ReadonlyArray<PreExecStep> | string => {
  const config = decodeIdentity(input)
  if (Result.isFailure(config)) return config.failure.message
  const planned = planIdentity(config.success, host)
  return Result.isFailure(planned) ? planned.failure.message : planned.success.steps
}

describe("identity plans", () => {
  it("a root supervisor's child as nobody: bounding set, no groups, ids, no capabilities", () => {
    expect(plan({ user: "nobody" }, hostAs(0))).toEqual([
      { kind: "drop-bounding", keep: [], lastCap: 40 },
      { kind: "groups", groups: [] },
      { kind: "ids", uid: 65534, gid: 65534 },
      { kind: "no-new-privs" },
      { kind: "clear-capabilities", keep: [] }
    ])
  })

  it("resolves group names and keeps listed capabilities for a child that stays root", () => {
    expect(plan({ groups: ["staff", 7] }, hostAs(0))).toContainEqual({ kind: "groups", groups: [50, 7] })
    expect(plan({ capabilities: ["net_bind_service"] }, hostAs(0))).toContainEqual({ kind: "clear-capabilities", keep: [10] })
  })

  it("maps a non-root supervisor to root inside a user namespace", () => {
    expect(plan({ map: { uid: 0, gid: 0 } }, hostAs(1000))).toEqual([
      { kind: "user-namespace", uidMap: "0 1000 1", gidMap: "0 1000 1" },
      { kind: "drop-bounding", keep: [], lastCap: 40 },
      { kind: "no-new-privs" },
      { kind: "clear-capabilities", keep: [] }
    ])
  })

  it("clears what a non-root supervisor's child may have inherited; the bounding set only inside a user namespace of its own", () => {
    expect(plan({}, hostAs(1000))).toEqual([{ kind: "no-new-privs" }, { kind: "clear-capabilities", keep: [] }])
    const inNamespace = planIdentity(Result.getOrThrow(decodeIdentity({})), hostAs(1000), true)
    expect(Result.getOrThrow(inNamespace).steps).toEqual([{ kind: "drop-bounding", keep: [], lastCap: 40 }, { kind: "no-new-privs" }, { kind: "clear-capabilities", keep: [] }])
  })

  it("keeps capabilities for a child that is not uid 0 through the ambient set, by either spelling", () => {
    expect(plan({ user: "nobody", capabilities: ["CAP_NET_BIND_SERVICE", "net_bind_service"] }, hostAs(0))).toEqual([
      { kind: "drop-bounding", keep: [10], lastCap: 40 },
      { kind: "groups", groups: [] },
      { kind: "ids", uid: 65534, gid: 65534, keepCapabilities: true },
      { kind: "no-new-privs" },
      { kind: "clear-capabilities", keep: [10], ambient: true }
    ])
  })

  it("names the capability a root supervisor lacks for a step, before any process exists", () => {
    const withoutSetuid = hostAs(0, 0x1ffffffffffn & ~(1n << 7n))
    expect(plan({ user: "nobody" }, withoutSetuid)).toBe(
      "The identity fence cannot be enforced on this host (CAP_SETUID): running the child as uid 65534 needs CAP_SETUID, which the supervisor (uid 0) does not hold (at user); give the supervisor CAP_SETUID (e.g. docker run --cap-add SETUID), or leave the option out"
    )
    expect(plan({}, withoutSetuid)).toContainEqual({ kind: "clear-capabilities", keep: [] })
    expect(plan({ capabilities: ["CAP_NET_RAW"] }, hostAs(1000, 1n << 10n))).toBe(
      "The identity fence cannot be enforced on this host (CAP_NET_RAW): keeping it for the child needs CAP_NET_RAW, which the supervisor (uid 1000) does not hold (at capabilities[0]); run the supervisor as root, or leave the option out"
    )
    // Not root, but holding CAP_SETUID and CAP_SETGID (file capabilities on its runtime): another user is possible.
    expect(plan({ user: "nobody" }, hostAs(1000, (1n << 6n) | (1n << 7n)))).toEqual([
      { kind: "groups", groups: [] }, { kind: "ids", uid: 65534, gid: 65534 }, { kind: "no-new-privs" }, { kind: "clear-capabilities", keep: [] }
    ])
    expect(plan({ capabilities: ["CAP_NET_BIND_SERVICE"] }, hostAs(1000, 1n << 10n))).toContainEqual({ kind: "clear-capabilities", keep: [10], ambient: true })
    expect(plan({}, hostAs(0, 0x1ffffffffffn & ~(1n << 8n)))).toMatch(/^The identity fence cannot be enforced on this host \(CAP_SETPCAP\): clearing the child's bounding set needs CAP_SETPCAP/)
  })

  it.each([
    [{ user: "nobdy" }, 0, 'Invalid identity option at user: no user "nobdy" in /etc/passwd; give a uid and gid instead'],
    [{ user: "nobody" }, 1000, "The identity fence cannot be enforced on this host (CAP_SETUID): running the child as uid 65534 needs CAP_SETUID, which the supervisor (uid 1000) does not hold (at user); run the supervisor as root, or use map: { uid, gid } to appear as another id inside a user namespace"],
    [{ groups: [50] }, 1000, "The identity fence cannot be enforced on this host (CAP_SETGID): setting the child's groups needs CAP_SETGID, which the supervisor (uid 1000) does not hold (at groups); run the supervisor as root, or leave the option out"],
    [{ capabilities: ["net_bind"] }, 0, 'Invalid identity option at capabilities[0]: Unknown capability "net_bind": did you mean "net_bind_service"?'],
    [{ capabilities: ["NET_BIND_SERVICE"] }, 0, 'Invalid identity option at capabilities[0]: Unknown capability "NET_BIND_SERVICE": did you mean "CAP_NET_BIND_SERVICE" or "net_bind_service"?'],
    [{ capabilities: ["CAP_SYS_ADMN"] }, 0, 'Invalid identity option at capabilities[0]: Unknown capability "CAP_SYS_ADMN": did you mean "CAP_SYS_ADMIN", "CAP_SYS_TIME" or "CAP_MAC_ADMIN"?'],
    [{ capabilities: "all" }, 0, "Invalid identity option at capabilities: expected a list, got \"all\""],
    [{ diagnoseCapabilities: "yes" }, 0, 'Invalid identity option at diagnoseCapabilities: expected true or false, got "yes"'],
    [{ user: { uid: 5 } }, 0, "Invalid identity option at user.gid: expected a whole number from 0 to 4294967294, got undefined"]
  ])("refuses %j (uid %i)", (input, euid, message) => {
    expect(plan(input, hostAs(euid))).toBe(message)
  })
})

describe("containment plans", () => {
  it("namespaces: a pid namespace, its init, a Landlock domain scoping signals and sockets, and the namespace's own /proc without the init", () => {
    const planned = Result.getOrThrow(containmentPlanner(undefined)("namespaces", hostAs(1000)))
    expect(planned.steps).toEqual([
      { kind: "user-namespace", uidMap: "1000 1000 1", gidMap: "1000 1000 1", anyMap: true },
      { kind: "pid-namespace" },
      { kind: "landlock", rulesetFd: expect.any(Number) },
      { kind: "unshare", namespaces: ["mount"] },
      { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(constants.MS_REC | constants.MS_SLAVE), data: undefined },
      { kind: "mount", source: "proc", target: "/proc", fstype: "proc", flags: BigInt(constants.MS_NOSUID | constants.MS_NODEV | constants.MS_NOEXEC), data: "hidepid=ptraceable" }
    ])
  })

  it("process-group adds nothing; a failed unshare names the missing capability", () => {
    expect(Result.getOrThrow(containmentPlanner(undefined)("process-group", hostAs(0))).steps).toEqual([])
    expect(explainFenceFailure("unshare", 1, 1000)?.message).toBe(
      'The containment fence cannot be enforced on this host (user namespaces): unprivileged user namespaces are refused (a sysctl, AppArmor\'s restriction, or an outer container\'s seccomp profile); run kakoi doctor to see which, or choose containment: "process-group"'
    )
    expect(explainFenceFailure("hostname", 1, 0)).toBeUndefined()
  })

  it("an EPERM step names the capability a root supervisor lacks for it, and only then", () => {
    const all = 0x1ffffffffffn
    const without = (cap: number): bigint => all & ~(1n << BigInt(cap))
    expect(explainFenceFailure("ids", 1, 0, without(7), "uid 65534")?.message).toBe(
      "The identity fence cannot be enforced on this host (CAP_SETUID): running as uid 65534 needs CAP_SETUID, which the supervisor (uid 0) does not hold; give the supervisor CAP_SETUID (e.g. docker run --cap-add SETUID), or leave the option out"
    )
    expect(explainFenceFailure("ids", 1, 0, without(6), "gid 65534")?.path).toBe("CAP_SETGID")
    expect([explainFenceFailure("loopback-up", 1, 0, without(12))?.fence, explainFenceFailure("loopback-up", 1, 0, without(12))?.path]).toEqual(["network", "CAP_NET_ADMIN"])
    expect(explainFenceFailure("tmpfs", 1, 0, without(21))?.path).toBe("CAP_SYS_ADMIN")
    expect(explainFenceFailure("unshare", 1, 0, without(21))?.message).toMatch(/creating namespaces without a user namespace needs CAP_SYS_ADMIN.*or choose containment: "process-group"$/)
    // Held, or not root (the child has its own user namespace's capabilities): the EPERM came from elsewhere.
    expect(explainFenceFailure("ids", 1, 0, all, "uid 65534")).toBeUndefined()
    expect(explainFenceFailure("tmpfs", 1, 1000, 0n)).toBeUndefined()
    expect(explainFenceFailure("unshare", 1, 0, all)?.detail).toBe("creating namespaces is refused (an outer container's seccomp profile or an LSM)")
  })
})

describe("decodeLandlock", () => {
  it("merges the classes of a path into one rule and defaults to both scopes", () => {
    expect(Result.getOrThrow(decodeLandlock({ filesystem: { read: ["/usr"], execute: ["/usr"], write: ["~/job"] } }, "/home/ada"))).toEqual({
      filesystem: [{ path: "/usr", access: ["read", "execute"] }, { path: "/home/ada/job", access: ["write"] }],
      network: undefined,
      scopes: ["signal", "abstract-unix-socket"],
      bestEffort: false
    })
  })

  it.each([
    [{ filesytem: {} }, 'Invalid landlock option at filesytem: Unknown option "filesytem": did you mean "filesystem"?'],
    [{ filesystem: { raed: ["/usr"] } }, 'Invalid landlock option at filesystem.raed: Unknown option "raed": did you mean "read"?'],
    [{ network: { connect: ["443"] } }, "Invalid landlock option at network.connect[0]: expected a whole number from 1 to 65535, got \"443\""],
    [{ bestEffort: "yes" }, 'Invalid landlock option at bestEffort: expected true or false, got "yes"']
  ])("rejects %j", (input, message) => {
    const result = decodeLandlock(input, undefined)
    expect(Result.isFailure(result) && result.failure.message).toBe(message)
  })
})

describe("Landlock rights by ABI", () => {
  it("knows which denials each ABI can enforce", () => {
    expect(missingFor({ filesystem: true, network: false, scopes: [] }, 2)).toEqual([{ what: "denying truncate(2) outside the write paths", abi: 3 }])
    expect(missingFor({ filesystem: true, network: true, scopes: ["signal"] }, 7)).toEqual([])
    expect(missingFor({ filesystem: false, network: false, scopes: ["abstract-unix-socket"] }, 5)).toEqual([{ what: "scoping abstract unix sockets to the domain", abi: 6 }])
  })

  it("masks rights to the ABI and to files", () => {
    expect([fsRightsOf(1), fsRightsOf(2), fsRightsOf(3), fsRightsOf(5)]).toEqual([0x1fffn, 0x3fffn, 0x7fffn, 0xffffn])
    expect(fsRights(["write"], 2, true)).toBe(0x2n)
    expect(fsRights(["write", "make", "remove"], 7, false)).toBe(0x4002n)
  })
})
