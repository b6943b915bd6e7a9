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
const hostAs = (euid: number): FenceHost => ({ kernel, euid, egid: euid, lastCap: 40, readFile: (path) => files[path] })

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
      { kind: "clear-capabilities", keep: [] }
    ])
  })

  it.each([
    [{ user: "nobdy" }, 0, 'Invalid identity option at user: no user "nobdy" in /etc/passwd; give a uid and gid instead'],
    [{ user: "nobody" }, 1000, "The identity fence cannot be enforced on this host (uid 65534): changing the child's user needs root; the supervisor runs as uid 1000; run the supervisor as root, or use map: { uid, gid } to appear as another id inside a user namespace"],
    [{ user: "nobody", capabilities: ["sys_admin"] }, 0, 'Invalid identity option at capabilities: capabilities cannot be kept across a change of user (that needs ambient capabilities); use user: "keep" for a child that keeps capabilities as uid 0'],
    [{ capabilities: ["net_bind"] }, 0, 'Invalid identity option at capabilities[0]: Unknown value "net_bind": did you mean "net_bind_service"?'],
    [{ user: { uid: 5 } }, 0, "Invalid identity option at user.gid: expected a whole number from 0 to 4294967294, got undefined"]
  ])("refuses %j (uid %i)", (input, euid, message) => {
    expect(plan(input, hostAs(euid))).toBe(message)
  })
})

describe("containment plans", () => {
  it("namespaces: a pid namespace, its init, a Landlock domain scoping signals and sockets, and the namespace's own /proc", () => {
    const planned = Result.getOrThrow(containmentPlanner(undefined)("namespaces", hostAs(1000)))
    expect(planned.steps).toEqual([
      { kind: "user-namespace", uidMap: "1000 1000 1", gidMap: "1000 1000 1" },
      { kind: "pid-namespace" },
      { kind: "landlock", rulesetFd: expect.any(Number) },
      { kind: "unshare", namespaces: ["mount"] },
      { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(constants.MS_REC | constants.MS_SLAVE), data: undefined },
      { kind: "mount", source: "proc", target: "/proc", fstype: "proc", flags: BigInt(constants.MS_NOSUID | constants.MS_NODEV | constants.MS_NOEXEC), data: undefined }
    ])
  })

  it("process-group adds nothing; a failed unshare names the missing capability", () => {
    expect(Result.getOrThrow(containmentPlanner(undefined)("process-group", hostAs(0))).steps).toEqual([])
    expect(explainFenceFailure("unshare", 1, 1000)?.message).toBe(
      'The containment fence cannot be enforced on this host (user namespaces): unprivileged user namespaces are refused (a sysctl, AppArmor\'s restriction, or an outer container\'s seccomp profile); run kakoi doctor to see which, or choose containment: "process-group"'
    )
    expect(explainFenceFailure("hostname", 1, 0)).toBeUndefined()
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
