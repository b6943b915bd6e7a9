/** What reaches libseccomp, the launcher check and the SIGSYS diagnosis: pure, no libseccomp needed. */
import { describe, expect, it } from "vitest"
import { arg, checkLauncher, diagnoseSigsys, effectiveAction, launcherSyscalls, policy } from "../../plugins/seccomp/mod.ts"

describe("effectiveAction()", () => {
  it("is the strictest unconditional rule's action, which wins over conditional rules in any order", () => {
    const p = policy((rule) => rule.errno("EPERM", "kill", arg(0).eq(1)).errno("EPERM", "kill").kill("kill"), { default: "log" })
    expect(effectiveAction(p, "kill")).toEqual({ action: { kind: "kill" }, rule: 2, conditional: [] })
  })

  it("is the default when no unconditional rule names the syscall", () => {
    const p = policy((rule) => rule.allow("socket", arg(0).eq(1)), { default: "kill" })
    const effective = effectiveAction(p, "socket")
    expect(effective.action).toEqual({ kind: "kill" })
    expect(effective.conditional.map((entry) => entry.rule)).toEqual([0])
  })
})

describe("checkLauncher()", () => {
  it("refuses a default-deny policy that does not allow execve", () => {
    const error = checkLauncher(policy((rule) => rule.allow("read", "write"), { default: "kill" }))
    expect(error?.reason).toBe("ExecveBlocked")
    expect(error?.message).toBe('Policy blocks execve, so the target can never start: allow "execve" (see launcherSyscalls)')
  })

  it("refuses a rule that denies execve under a permissive default", () => {
    expect(checkLauncher(policy((rule) => rule.errno("EPERM", "execve"), { default: "allow" }))?.reason).toBe("ExecveBlocked")
  })

  it("accepts allow and log, launcherSyscalls, and a conditional allow", () => {
    expect(checkLauncher(policy({ default: "allow" }))).toBeUndefined()
    expect(checkLauncher(policy({ default: "log" }))).toBeUndefined()
    expect(checkLauncher(policy((rule) => rule.allow(...launcherSyscalls), { default: "kill" }))).toBeUndefined()
    expect(checkLauncher(policy((rule) => rule.allowLauncher(), { default: { errno: "EPERM" } }))).toBeUndefined()
    expect(checkLauncher(policy((rule) => rule.log("execve"), { default: "kill" }))).toBeUndefined()
    expect(checkLauncher(policy((rule) => rule.allow("execve", arg(2).ne(0)), { default: "kill" }))).toBeUndefined()
  })
})

describe("diagnoseSigsys()", () => {
  it("names the syscalls of kill and trap rules as candidates", () => {
    const p = policy((rule) => rule.kill("mkdir").errno("EPERM", "rmdir").trap("uname", "sethostname").killThread("ptrace"), { default: "allow" })
    expect(diagnoseSigsys(p)).toEqual({
      cause: "seccomp",
      message: 'Killed by the seccomp filter (SIGSYS): "mkdir" is killed by rules[0], "uname" or "sethostname" are trapped by rules[2], or "ptrace" is killed (thread) by rules[3]',
      syscalls: ["mkdir", "uname", "sethostname", "ptrace"]
    })
  })

  it("mentions the default action when it kills, and conditions when a rule has them", () => {
    const p = policy((rule) => rule.allow("read").allowLauncher().kill("socket", arg(0).eq(2)), { default: "kill" })
    expect(diagnoseSigsys(p).message).toBe(
      'Killed by the seccomp filter (SIGSYS): a syscall no rule allows is killed by the default action'
    )
    const q = policy((rule) => rule.kill("socket", arg(0).eq(2)), { default: "allow" })
    expect(diagnoseSigsys(q).message).toBe('Killed by the seccomp filter (SIGSYS): "socket" is killed by rules[0] when its argument conditions hold')
  })

  it("leaves out rules libseccomp never sees", () => {
    const p = policy((rule) => rule.kill("mkdir", arg(0).eq(1)).errno("EPERM", "mkdir"), { default: "allow" })
    expect(diagnoseSigsys(p).syscalls).toEqual([])
  })

  it("says so when the policy cannot have raised SIGSYS", () => {
    const p = policy({ default: "allow", attributes: { badArch: { errno: "ENOSYS" } } })
    expect(diagnoseSigsys(p).message).toMatch(/^Killed by SIGSYS \(Bad system call\), but this seccomp policy neither kills nor traps any syscall/)
  })

  it("names a call of another ABI when nothing else in the policy kills", () => {
    expect(diagnoseSigsys(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })).message).toBe(
      'Killed by the seccomp filter (SIGSYS): a call of another ABI (e.g. i386 "int 0x80" on x86_64) is killed by badArch; this policy kills or traps nothing else'
    )
    expect(diagnoseSigsys(policy({ default: "allow", arches: ["x86"], attributes: { badArch: "trap" } })).message).toBe(
      "Killed by the seccomp filter (SIGSYS): a call of an ABI the policy's arches do not list is trapped by badArch; this policy kills or traps nothing else"
    )
  })

  it("shortens long lists", () => {
    const names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"]
    const p = policy((rule) => rule.kill(...names), { default: "allow" })
    expect(diagnoseSigsys(p).message).toBe('Killed by the seccomp filter (SIGSYS): "a1", "a2", "a3", "a4", "a5", "a6" and 2 more are killed by rules[0]')
    expect(diagnoseSigsys(p).syscalls).toEqual(names)
  })
})
