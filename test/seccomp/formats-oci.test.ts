/**
 * Docker/OCI/Podman profiles read by policy(): the two shipped real profiles
 * (test/fixtures/profiles) evaluated for given capabilities, kernels and the
 * native architecture, and checked by running their compiled BPF in the
 * simulator (explain); strict decoding with the profile's JSON paths.
 */
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import { compile, explain, policy, type Action, type OciOptions, type OciProfile, type Policy } from "../../plugins/seccomp/mod.ts"
import { importOf } from "../../plugins/seccomp/formats/imported.ts"
import { policyError } from "./helpers.ts"

const fixture = (name: string): OciProfile => JSON.parse(readFileSync(new URL(`../fixtures/profiles/${name}`, import.meta.url), "utf8")) as OciProfile
const docker = fixture("docker-default.json")
const podman = fixture("podman-containers-common.json")

const run = <A, E>(effect: Effect.Effect<A, E, any>): Promise<A> => Effect.runPromise(Effect.provide(effect, layer) as Effect.Effect<A, E>)

/** The action the compiled filter returns for one call (the BPF run in the simulator). */
const outcome = async (p: Policy, syscall: string, ...args: ReadonlyArray<bigint | number>): Promise<Action> =>
  (await run(explain(p, { syscall, args }))).action

const allow: Action = { kind: "allow" }
const errno = (value: number): Action => ({ kind: "errno", errno: value })
const [EPERM, EINVAL, ENOSYS] = [1, 22, 38]
const CLONE_NEWUSER = 0x10000000n
const [AF_INET, AF_NETLINK, AF_VSOCK] = [2, 16, 40]

describe("policy() reads Docker's default profile", () => {
  const unprivileged = policy(docker, { caps: [], kernel: "6.18" })

  it("allows what it lists and fails the rest with defaultErrnoRet", async () => {
    expect(unprivileged.default).toEqual(errno(EPERM))
    expect(await outcome(unprivileged, "read")).toEqual(allow)
    expect(await outcome(unprivileged, "add_key")).toEqual(errno(EPERM))
    expect(await outcome(unprivileged, "kexec_load")).toEqual(errno(EPERM))
  })

  it("evaluates argument conditions, masked compares included", async () => {
    expect(await outcome(unprivileged, "personality", 0)).toEqual(allow)
    expect(await outcome(unprivileged, "personality", 0xffffffff)).toEqual(allow)
    expect(await outcome(unprivileged, "personality", 1)).toEqual(errno(EPERM))
    expect(await outcome(unprivileged, "socket", AF_INET)).toEqual(allow)
    expect(await outcome(unprivileged, "socket", AF_VSOCK)).toEqual(errno(EPERM))
    // clone with value = mask 0x7e020000 and no valueTwo: allowed only when no namespace flag is set.
    expect(await outcome(unprivileged, "clone", 0x11n)).toEqual(allow)
    expect(await outcome(unprivileged, "clone", CLONE_NEWUSER)).toEqual(errno(EPERM))
    expect(await outcome(unprivileged, "clone3")).toEqual(errno(ENOSYS)) // errnoRet 38, excluded with CAP_SYS_ADMIN
  })

  it("includes entries by capability and excludes them by capability", async () => {
    const admin = policy(docker, { caps: ["CAP_SYS_ADMIN"], kernel: "6.18" })
    expect(await outcome(admin, "clone", CLONE_NEWUSER)).toEqual(allow)
    expect(await outcome(admin, "mount")).toEqual(allow)
    expect(await outcome(admin, "clone3")).toEqual(allow)
    expect(await outcome(unprivileged, "mount")).toEqual(errno(EPERM))
    expect(await outcome(unprivileged, "chroot")).toEqual(errno(EPERM))
    expect(await outcome(policy(docker, { caps: ["CAP_SYS_CHROOT"] }), "chroot")).toEqual(allow)
    expect(importOf(unprivileged)?.left).toContainEqual(expect.objectContaining({ path: "syscalls[17]", reason: "needs CAP_SYS_ADMIN, which the child does not hold" }))
  })

  it("includes entries by minKernel against the kernel it is given", async () => {
    const profileDecides = policy(docker, { caps: [], kernel: "6.18", floor: false })
    expect(await outcome(profileDecides, "process_vm_readv")).toEqual(allow)
    const old = policy(docker, { caps: [], kernel: "4.7", floor: false })
    expect(await outcome(old, "process_vm_readv")).toEqual(errno(EPERM))
    expect(importOf(old)?.left).toContainEqual(expect.objectContaining({ path: "syscalls[1]", reason: "needs kernel 4.8 or later" }))
  })

  it("keeps kakoi's floor: ptrace and friends stay denied unless floor: false", async () => {
    const root = policy(docker, { caps: ["CAP_SYS_PTRACE"], kernel: "6.18" })
    // The floor's EPERM is the profile's default here, so the default action answers.
    for (const name of ["ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"]) expect(await outcome(root, name), name).toEqual(errno(EPERM))
    expect(importOf(root)?.left).toContainEqual(expect.objectContaining({ path: "syscalls[1].names[2]", reason: expect.stringMatching(/^"ptrace" left out: kakoi's floor/) }))
    expect(await outcome(policy(docker, { caps: ["CAP_SYS_PTRACE"], floor: false }), "ptrace")).toEqual(allow)
    expect(await outcome(root, "kcmp")).toEqual(allow)
  })

  it("includes entries by the native architecture, by Go's name", async () => {
    expect(await outcome(unprivileged, "arch_prctl")).toEqual(allow) // includes arches amd64, x32
    expect(importOf(unprivileged)?.left).toContainEqual(expect.objectContaining({ path: "syscalls[10]", reason: "only on ppc64le, not amd64" }))
  })

  it("takes the sub-architectures of archMap, leaving out i386, where socketcall hides socket's arguments", () => {
    expect(unprivileged.arches).toEqual(["x32"])
    expect(importOf(unprivileged)?.left.at(-1)?.reason).toMatch(/^architecture x86 left out: "socket"'s argument conditions \(syscalls\[2\]\.args\) cannot hold/)
  })

  it("lists the names libseccomp does not know as skipped, instead of failing", async () => {
    const { skipped } = await run(compile(unprivileged))
    expect(skipped.filter((entry) => entry.reason === "unknown-syscall").map((entry) => entry.syscall)).toContain("statmount")
  })

  it("defaults to the capabilities of this process (CapEff) and the running kernel", async () => {
    const status = readFileSync("/proc/self/status", "utf8")
    const admin = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1]
    const held = ((BigInt(`0x${admin ?? "0"}`) >> 21n) & 1n) === 1n // CAP_SYS_ADMIN
    expect(await outcome(policy(docker), "mount")).toEqual(held ? allow : errno(EPERM))
  })
})

describe("policy() reads Podman's default profile", () => {
  const unprivileged = policy(podman, { caps: [], kernel: "6.18" })

  it("fails unlisted calls with ENOSYS (defaultErrnoRet with the defaultErrno name)", async () => {
    expect(unprivileged.default).toEqual(errno(ENOSYS))
    expect(await outcome(unprivileged, "add_key")).toEqual(errno(ENOSYS))
    expect(await outcome(unprivileged, "read")).toEqual(allow)
  })

  it("takes errno names with errnoRet, and several conditions of one rule together", async () => {
    expect(await outcome(unprivileged, "chroot")).toEqual(errno(EPERM))
    expect(await outcome(policy(podman, { caps: ["CAP_SYS_CHROOT"] }), "chroot")).toEqual(allow)
    // socket(AF_NETLINK, *, NETLINK_AUDIT) fails with EINVAL without CAP_AUDIT_WRITE; other sockets are allowed.
    expect(await outcome(unprivileged, "socket", AF_NETLINK, 3, 9)).toEqual(errno(EINVAL))
    expect(await outcome(unprivileged, "socket", AF_NETLINK, 3, 0)).toEqual(allow)
    expect(await outcome(unprivileged, "socket", AF_INET, 1, 9)).toEqual(allow)
    expect(await outcome(policy(podman, { caps: ["CAP_AUDIT_WRITE"] }), "socket", AF_NETLINK, 3, 9)).toEqual(allow)
  })

  it("keeps i386 and x32 from archMap when no argument condition needs socketcall", () => {
    expect(policy(podman, { caps: ["CAP_AUDIT_WRITE"] }).arches).toEqual(["x86", "x32"])
  })
})

describe("policy() reads small OCI profiles exactly", () => {
  const small = (syscalls: OciProfile["syscalls"], extra: Partial<OciProfile> = {}): Policy =>
    policy({ defaultAction: "SCMP_ACT_ALLOW", syscalls, ...extra } as OciProfile, { caps: [] })

  it("maps every SCMP_ACT_* action", async () => {
    const actions: ReadonlyArray<readonly [string, Action]> = [
      ["SCMP_ACT_KILL", { kind: "kill-thread" }],
      ["SCMP_ACT_KILL_THREAD", { kind: "kill-thread" }],
      ["SCMP_ACT_KILL_PROCESS", { kind: "kill" }],
      ["SCMP_ACT_TRAP", { kind: "trap" }],
      ["SCMP_ACT_ERRNO", errno(EPERM)],
      ["SCMP_ACT_TRACE", { kind: "trace", value: 1 }],
      ["SCMP_ACT_LOG", { kind: "log" }],
      ["SCMP_ACT_NOTIFY", { kind: "notify" }]
    ]
    for (const [word, action] of actions) {
      expect(await outcome(small([{ names: ["getppid"], action: word }]), "getppid"), word).toEqual(action)
    }
    expect(await outcome(small([{ names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 13 }]), "getppid")).toEqual(errno(13))
    expect(await outcome(small([{ name: "getppid", action: "SCMP_ACT_TRACE", errnoRet: 7 }]), "getppid")).toEqual({ kind: "trace", value: 7 })
  })

  it("maps every SCMP_CMP_* operator, with valueTwo as the compared value of a masked compare", async () => {
    const ops: ReadonlyArray<readonly [string, number, ReadonlyArray<number>, ReadonlyArray<number>]> = [
      ["SCMP_CMP_EQ", 5, [5], [4, 6]],
      ["SCMP_CMP_NE", 5, [4, 6], [5]],
      ["SCMP_CMP_LT", 5, [4], [5, 6]],
      ["SCMP_CMP_LE", 5, [4, 5], [6]],
      ["SCMP_CMP_GT", 5, [6], [4, 5]],
      ["SCMP_CMP_GE", 5, [5, 6], [4]]
    ]
    for (const [op, value, denied, allowed] of ops) {
      const p = small([{ names: ["getpriority"], action: "SCMP_ACT_ERRNO", args: [{ index: 1, value, op }] }])
      for (const arg of denied) expect(await outcome(p, "getpriority", 0, arg), `${op} ${arg}`).toEqual(errno(EPERM))
      for (const arg of allowed) expect(await outcome(p, "getpriority", 0, arg), `${op} ${arg}`).toEqual(allow)
    }
    const masked = small([{ names: ["getpriority"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 0xf0, valueTwo: 0x30, op: "SCMP_CMP_MASKED_EQ" }] }])
    expect(await outcome(masked, "getpriority", 0x31)).toEqual(errno(EPERM))
    expect(await outcome(masked, "getpriority", 0x41)).toEqual(allow)
  })

  it("makes two conditions on one argument two rules, either matching, as runc does", async () => {
    const p = small([{ names: ["getpriority"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }, { index: 0, value: 2, op: "SCMP_CMP_EQ" }] }])
    expect(await outcome(p, "getpriority", 1)).toEqual(errno(EPERM))
    expect(await outcome(p, "getpriority", 2)).toEqual(errno(EPERM))
    expect(await outcome(p, "getpriority", 3)).toEqual(allow)
  })

  it("adds the architectures of `architectures`, the native one implied", () => {
    expect(small([], { architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"] }).arches).toEqual(["x32"])
  })

  it("turns SECCOMP_FILTER_FLAG_LOG into the log attribute", () => {
    expect(small([], { flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"] }).attributes.log).toBe(true)
  })
})

describe("policy() rejects bad profiles at their JSON path", () => {
  const rejected = (profile: unknown, options: OciOptions = { caps: [] }) => policyError(() => policy(profile as OciProfile, options))

  it.each([
    [{ defaultAction: "SCMP_ACT_ERRNO", syscall: [] }, "syscall", "Unexpected key"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", arg: [] }] }, "syscalls[0].arg", "Unexpected key"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", includes: { cap: ["CAP_CHOWN"] } }] }, "syscalls[0].includes.cap", "Unexpected key"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALOW" }] }, "syscalls[0].action", 'Unknown action "SCMP_ACT_ALOW": did you mean "SCMP_ACT_ALLOW"?'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQQ" }] }] }, "syscalls[0].args[0].op", 'Unknown operator "SCMP_CMP_EQQ": did you mean "SCMP_CMP_EQ"?'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 6, value: 1, op: "SCMP_CMP_EQ" }] }] }, "syscalls[0].args[0].index", "Argument index 6 is out of range: use 0 to 5"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: -1, op: "SCMP_CMP_EQ" }] }] }, "syscalls[0].args[0].value", "Invalid value \"-1\": expected an unsigned 64-bit integer"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 2 ** 60, op: "SCMP_CMP_EQ" }] }] }, "syscalls[0].args[0].value", /^Invalid value "1152921504606847000": not an exact integer/],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, valueTwo: 2, op: "SCMP_CMP_EQ" }] }] }, "syscalls[0].args[0].valueTwo", "valueTwo goes with SCMP_CMP_MASKED_EQ only; SCMP_CMP_EQ compares with value alone"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", errnoRet: 1 }] }, "syscalls[0].errnoRet", "errnoRet goes with SCMP_ACT_ERRNO and SCMP_ACT_TRACE only, not SCMP_ACT_ALLOW"],
    [{ defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 1 }, "defaultErrnoRet", "defaultErrnoRet goes with SCMP_ACT_ERRNO and SCMP_ACT_TRACE only, not SCMP_ACT_ALLOW"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 13, errno: "EPERM" }] }, "syscalls[0].errno", '"EPERM" is 1, but errnoRet says 13: make them agree'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 5000 }] }, "syscalls[0].errnoRet", "Invalid value \"5000\": expected an integer from 0 to 4095"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ name: "read", names: ["write"], action: "SCMP_ACT_ALLOW" }] }, "syscalls[0].name", 'Use either "name" or "names", not both'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: [], action: "SCMP_ACT_ALLOW" }] }, "syscalls[0].names", "Rule names no syscall"],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMN"] } }] }, "syscalls[0].includes.caps[0]", 'Unknown capability "CAP_SYS_ADMN": did you mean "CAP_SYS_ADMIN"?'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", excludes: { arches: ["amd46"] } }] }, "syscalls[0].excludes.arches[0]", 'Unknown architecture "amd46": did you mean "amd64"?'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", includes: { arches: ["ppc64le"] }, excludes: { caps: ["CAP_SYS_BOOTT"] } }] }, "syscalls[0].excludes.caps[0]", 'Unknown capability "CAP_SYS_BOOTT": did you mean "CAP_SYS_BOOT"?'],
    [{ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "4.8.1" } }] }, "syscalls[0].includes.minKernel", 'Invalid kernel version "4.8.1": expected major.minor, e.g. "4.8"'],
    [{ defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86"], archMap: [{ architecture: "SCMP_ARCH_X86_64", subArchitectures: null }] }, "architectures", 'Use either "architectures" or "archMap", not both'],
    [{ defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X68"] }, "architectures[0]", 'Unknown architecture "SCMP_ARCH_X68": did you mean "SCMP_ARCH_X86"?'],
    [{ defaultAction: "SCMP_ACT_ERRNO", flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"] }, "flags[0]", 'Unsupported "SECCOMP_FILTER_FLAG_SPEC_ALLOW": kakoi keeps the kernel\'s speculation mitigation on for filtered children: remove the flag'],
    [{ defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/run/agent.sock" }, "listenerPath", /^Unsupported: kakoi answers notified calls in its own supervisor/]
  ])("%j at %s", (profile, path, problem) => {
    const error = rejected(profile)
    expect(error.path).toBe(path)
    if (typeof problem === "string") expect(error.problem).toBe(problem)
    else expect(error.problem).toMatch(problem)
  })

  it("reports a conflict between converted entries at the profile entry", () => {
    const error = rejected({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["getpriority"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }] }, { names: ["getpriority"], action: "SCMP_ACT_KILL", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }] }] })
    expect(error.reason).toBe("ConflictingRule")
    expect(error.path).toBe("syscalls[1]")
  })

  it("checks the caps option too", () => {
    expect(rejected({ defaultAction: "SCMP_ACT_ALLOW" }, { caps: ["CAP_CHWON"] }).message).toBe('Invalid seccomp policy at options.caps[0]: Unknown capability "CAP_CHWON": did you mean "CAP_CHOWN"?')
  })
})
