/**
 * Attacks on the floor (floor.ts): a hostile child reaching its unfiltered
 * supervisor (the test's own Node process is the parent) or the user's
 * terminal, under policies written the obvious way.
 */
import { describe, expect, it } from "vitest"
import type { OciProfile, PolicyJson } from "../../plugins/seccomp/mod.ts"
import { learn } from "../../adapters/node/mod.ts"
import { attack, program, refused } from "./attack.ts"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const EPERM = 1
const PTRACE_ATTACH = 16
const profile = (name: string): OciProfile => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/profiles/${name}.json`, import.meta.url)), "utf8")) as OciProfile
const docker = profile("docker-default")
const podman = profile("podman-containers-common")

describe("the floor under policies that mention what it guards", () => {
  // FOUND (high), fixed on branch policy meanwhile (34cf966): any rule that named ptrace lifted floor.ptrace, even one that only *denies* one
  // request. "Deny PTRACE_ATTACH" is a tightening to its author; it opens PTRACE_SEIZE (and every other
  // request) on the unfiltered supervisor. Expected: a floor entry is lifted only for the calls a rule
  // lets run (or the floor rule stays beside the conditional one, as the ioctl entries do).
  it("a rule that denies PTRACE_ATTACH keeps PTRACE_SEIZE of the supervisor denied", async () => {
    const json: PolicyJson = { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["ptrace"], args: [{ index: 0, op: "==", value: PTRACE_ATTACH }] }] }
    expect(await attack(json, [program("floor-probe"), "ptrace"])).toBe(`errno ${EPERM}`)
  })

  it("a rule that kills pidfd_getfd of fd 1 keeps the floor for fd 0", async () => {
    // pidfd_getfd(pidfd, targetfd, flags): the author killed taking fd 1; the probe takes fd 0 of the parent.
    const json: PolicyJson = { default: "allow", rules: [{ action: "kill", syscalls: ["pidfd_getfd"], args: [{ index: 1, op: "==", value: 1 }] }] }
    expect(await attack(json, [program("floor-probe"), "pidfd_getfd"])).toBe(`errno ${EPERM}`)
  })

  // Holds: naming ioctl does not lift the ioctl entries, whatever the action.
  it.each([
    ["allow in an allowlist", { default: { errno: "EACCES" }, rules: [{ action: "allow", syscalls: ["@system-service", "ioctl"] }] }],
    ["log in a default-allow policy", { default: "allow", rules: [{ action: "log", syscalls: ["ioctl"] }] }],
    ["allow in a default-allow policy (same as the default)", { default: "allow", rules: [{ action: "allow", syscalls: ["ioctl"] }] }],
    ["trace, with a condition that admits TIOCSTI", { default: "allow", rules: [{ action: "trace", trace: 1, syscalls: ["ioctl"], args: [{ index: 1, op: "!=", value: 0x5401 }] }] }]
  ] as const)("TIOCSTI stays denied when ioctl is named (%s)", async (_, json) => {
    try {
      expect(await attack(json as PolicyJson, [program("floor-probe"), "tiocsti"])).toBe(`errno ${EPERM}`)
    } catch (error) {
      // A typed refusal is fine too (FloorConflict: the rule's conditions admit TIOCSTI).
      expect(error).toMatchObject({ _tag: "PolicyError", reason: "FloorConflict" })
    }
  })

  // FINDING (high): the floor's ioctl entries answer EPERM, and libseccomp refuses a rule whose action is the
  // default's. With `default: {errno: "EPERM"}` (the usual allowlist, and Docker's defaultErrnoRet 1) the
  // floor.tiocsti rule is dropped silently (plan.ts keeps same-as-default skips for user rules only), while
  // the allowed ioctl became the catch-all `arg1 >= 0`: TIOCSTI types into the terminal. Docker's profile
  // allows ioctl, so every child under it can. Fix: when the default equals a floor entry's action, give
  // the floor another denial (EIO is what the kernel answers with legacy_tiocsti=0), or fail closed.
  it("TIOCSTI is denied by an allowlist whose default is errno EPERM and which allows ioctl", async () => {
    const allowlist: PolicyJson = { default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["@system-service", "ioctl"] }] }
    expect(await attack(allowlist, [program("floor-probe"), "tiocsti"])).toMatch(refused)
  })

  // FINDING (high, same cause): an allowlist in systemd's style (allow @system-service, fail the rest with
  // EPERM, i.e. SystemCallFilter=@system-service + SystemCallErrorNumber=EPERM) loses floor.process_vm_*
  // and, with @debug, floor.ptrace the same way: the group's allow decides (groups are "too broad to lift
  // the floor", but the floor rule is no longer there). The child reads its supervisor's memory.
  it.each([
    ["process_vm_readv", "vm_readv", ["@system-service"]],
    ["ptrace", "ptrace", ["@system-service", "@debug"]],
    ["pidfd_getfd", "pidfd_getfd", ["@system-service", "@debug"]]
  ] as const)("%s of the supervisor is denied by an EPERM allowlist of systemd groups", async (_, what, groups) => {
    const allowlist: PolicyJson = { default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: [...groups, "execve"] }] }
    expect(await attack(allowlist, [program("floor-probe"), what])).toMatch(refused)
  })

  // The same through `kakoi learn`: a learned policy is an EPERM allowlist, and any program that checks
  // its terminal (isatty is an ioctl) learns ioctl. Learn the probe's harmless TCGETS, run it with TIOCSTI.
  it("a policy learned from an ordinary ioctl still denies TIOCSTI", async () => {
    const learned = await learn([program("floor-probe"), "tcgets"])
    expect(learned.syscalls.map((entry) => entry.name)).toContain("ioctl")
    expect(await attack(learned.policy, [program("floor-probe"), "tiocsti"])).toMatch(refused)
  })

  it("TIOCSTI is denied under Docker's profile, also with high-bit garbage in its 64-bit cmd register", async () => {
    expect(await attack(docker, [program("floor-probe"), "tcgets"])).toBe("ok")
    expect(await attack(docker, [program("floor-probe"), "tiocsti"])).toMatch(refused)
    expect(await attack(docker, [program("floor-probe"), "tiocsti", "0xdead000000005412"])).toMatch(refused)
  })

  // Holds: Podman's profile fails unlisted calls with ENOSYS, so the floor's EPERM rule stays.
  it("TIOCSTI is denied under Podman's profile", async () => {
    expect(await attack(podman, [program("floor-probe"), "tiocsti"])).toBe(`errno ${EPERM}`)
    expect(await attack(podman, [program("floor-probe"), "tcgets"])).toBe("ok")
  })

  it("ptrace of the supervisor is denied under Docker's profile (which allows ptrace with CAP_SYS_PTRACE)", async () => {
    expect(await attack(docker, [program("floor-probe"), "ptrace"])).toMatch(refused)
    expect(await attack(docker, [program("floor-probe"), "vm_readv"])).toMatch(refused)
  })

  it("i386 ptrace and TIOCSTI through int 0x80 meet the floor when the policy lists x86", async () => {
    const x86: PolicyJson = { default: "allow", arches: ["x86"] }
    // i386: ptrace is 26 (PTRACE_SEIZE 0x4206 of pid 1, which must not even be tried), ioctl 54.
    expect(await attack(x86, [program("attack-probe"), "int80", "26", "0x4206", "1", "0", "0"])).toBe(`errno ${EPERM}`)
    // fd 0 is not a terminal here: EPERM is the filter's answer, ENOTTY would be the kernel's.
    expect(await attack(x86, [program("attack-probe"), "int80", "54", "0", "0x5412", "@x"])).toBe(`errno ${EPERM}`)
  })
})
