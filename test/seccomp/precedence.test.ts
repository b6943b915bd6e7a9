/** The strictest rule decides (plan.ts), overlap proofs (overlap.ts), signed pids and i386 twins (expand.ts): pure, no libseccomp needed. */
import { describe, expect, it } from "vitest"
import { policy, PolicyError } from "../../plugins/seccomp/mod.ts"
import type { PolicyJson } from "../../plugins/seccomp/mod.ts"
import { expand } from "../../plugins/seccomp/expand.ts"
import { mayOverlap } from "../../plugins/seccomp/overlap.ts"
import { plan } from "../../plugins/seccomp/plan.ts"

const refusal = (json: PolicyJson): PolicyError => {
  try {
    policy(json)
  } catch (error) {
    if (error instanceof PolicyError) return error
    throw error
  }
  throw new Error("accepted")
}

describe("mayOverlap()", () => {
  it.each([
    ["== 2 vs == 1", [{ index: 0, op: "==", value: 2n }], [{ index: 0, op: "==", value: 1n }], false],
    ["== 2 on arg0 vs == 1 on arg1", [{ index: 0, op: "==", value: 2n }], [{ index: 1, op: "==", value: 1n }], true],
    ["masked bits that disagree", [{ index: 0, op: "masked==", mask: 0xffn, value: 2n }], [{ index: 0, op: "masked==", mask: 0x0fn, value: 3n }], false],
    ["masked bits that agree", [{ index: 0, op: "masked==", mask: 0xf0n, value: 0x20n }], [{ index: 0, op: "masked==", mask: 0x0fn, value: 3n }], true],
    ["disjoint ranges", [{ index: 0, op: "<", value: 5n }], [{ index: 0, op: ">=", value: 5n }], false],
    ["== outside a range", [{ index: 0, op: "==", value: 9n }], [{ index: 0, op: "<", value: 5n }], false],
    ["!= vs ==", [{ index: 0, op: "!=", value: 9n }], [{ index: 0, op: "==", value: 9n }], false],
    ["unconditional", [], [{ index: 0, op: "==", value: 9n }], true]
  ] as const)("%s", (_, a, b, expected) => {
    expect(mayOverlap(a, b)).toBe(expected)
  })
})

describe("the strictest rule decides", () => {
  it("among unconditional rules, whatever their order: a denial after a group's allow holds", () => {
    const p = policy({ default: "kill", rules: [{ action: "allow", syscalls: ["@file-system", "execve"] }, { action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }] })
    const mkdir = plan(p).added.filter((entry) => entry.syscall === "mkdir")
    expect(mkdir.map((entry) => [entry.rule, entry.action])).toEqual([[1, { kind: "errno", errno: 1 }]])
  })

  it("a denial equal to the default leaves the call to the default and drops the allows beside it", () => {
    const p = policy({ default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["@file-system", "execve"] }, { action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })
    expect(plan(p).added.some((entry) => entry.syscall === "mkdir")).toBe(false)
    expect(plan(p).skipped.filter((entry) => entry.syscall === "mkdir").map((entry) => entry.reason)).toEqual(["shadowed", "same-as-default"])
  })

  it("the floor's unconditional entries hold under a default equal to their errno, beside an allowing group", () => {
    const p = policy({ default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["@debug", "execve"] }] })
    expect(plan(p).added.some((entry) => entry.syscall === "ptrace")).toBe(false)
  })

  it("the floor's ioctl entries answer EIO when the default is EPERM and ioctl is allowed, EPERM otherwise", () => {
    const tiocsti = (json: PolicyJson) => expand(policy(json)).entries.find((entry) => entry.path === "floor.tiocsti")?.action
    expect(tiocsti({ default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["ioctl", "execve"] }] })).toEqual({ kind: "errno", errno: 5 })
    expect(tiocsti({ default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["execve"] }] })).toEqual({ kind: "errno", errno: 1 })
    expect(tiocsti({ default: "allow" })).toEqual({ kind: "errno", errno: 1 })
  })

  it("refuses overlapping rules where libseccomp would let the lenient one decide", () => {
    const deny = { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] } as const
    expect(refusal({ default: "allow", rules: [deny, { action: "log", syscalls: ["socket"], args: [{ index: 1, op: "==", value: 1 }] }] }).reason).toBe("OverlappingRules")
    expect(refusal({ default: "kill", rules: [deny, { action: "allow", syscalls: ["socket", "execve"] }] }).reason).toBe("OverlappingRules")
  })

  it("accepts the same rules when the lenient one is the default's action, or they are exclusive", () => {
    const deny = { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] } as const
    const allowed = policy({ default: "allow", rules: [deny, { action: "allow", syscalls: ["socket"] }] })
    expect(plan(allowed).added.filter((entry) => entry.syscall === "socket").map((entry) => entry.rule)).toEqual([0])
    expect(() => policy({ default: "allow", rules: [deny, { action: "log", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 1 }] }] })).not.toThrow()
  })
})

describe("signed pids and i386 twins", () => {
  it("kill pid < 0 tests the sign bit of the low 32 bits", () => {
    const p = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["kill"], args: [{ index: 0, op: "<", value: 0 }] }] })
    const kill = expand(p).entries.filter((entry) => entry.syscall === "kill")
    expect(kill.map((entry) => entry.args)).toEqual([[{ index: 0, op: "masked==", mask: 0x8000_0000n, value: 0x8000_0000n }]])
  })

  it("a rule for chown covers chown32 when x86 is listed, and only then", () => {
    const names = (arches: ReadonlyArray<string>) =>
      expand(policy({ default: "allow", arches: [...arches], rules: [{ action: "errno", errno: "EPERM", syscalls: ["chown"] }] })).entries.filter((entry) => entry.rule === 0).map((entry) => entry.syscall)
    expect(names(["x86"])).toEqual(["chown", "chown32"])
    expect(names([])).toEqual(["chown"])
  })

  it("refuses a condition on an argument the twin lays out differently", () => {
    expect(refusal({ default: "allow", arches: ["x86"], rules: [{ action: "errno", errno: "EPERM", syscalls: ["truncate"], args: [{ index: 1, op: "==", value: 0 }] }] }).reason).toBe("TwinArgs")
  })
})
