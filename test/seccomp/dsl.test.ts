/** The builder DSL: what `policy((rule) => ...)` records, and that the result is a frozen Policy. */
import { describe, expect, it } from "vitest"
import { arg, isPolicy, launcherSyscalls, policy } from "../../plugins/seccomp/mod.ts"
import { policyError } from "./helpers.ts"

describe("policy() with the DSL", () => {
  it("records one rule per call, in order, with the seed's actions", () => {
    const p = policy((rule) => {
      rule.kill("mkdir")
      rule.trap("uname")
      rule.errno("EPERM", "mkdir", "mkdirat")
      rule.killThread("ptrace")
      rule.log("openat")
      rule.notify("connect")
      rule.trace(7, "kill")
    }, { default: "allow" })
    expect(p.default).toEqual({ kind: "allow" })
    expect(p.rules.map((r) => [r.action, r.syscalls])).toEqual([
      [{ kind: "kill" }, ["mkdir"]],
      [{ kind: "trap" }, ["uname"]],
      [{ kind: "errno", errno: 1 }, ["mkdir", "mkdirat"]],
      [{ kind: "kill-thread" }, ["ptrace"]],
      [{ kind: "log" }, ["openat"]],
      [{ kind: "notify" }, ["connect"]],
      [{ kind: "trace", value: 7 }, ["kill"]]
    ])
  })

  it("chains calls", () => {
    const p = policy((rule) => rule.kill("mkdir").trap("uname").allow("read"), { default: { errno: "ENOSYS" } })
    expect(p.rules).toHaveLength(3)
    expect(p.default).toEqual({ kind: "errno", errno: 38 })
  })

  it("applies arg() conditions to every syscall of the call, values as unsigned 64-bit bigints", () => {
    const p = policy((rule) => {
      rule.allow("socket", "socketpair", arg(0).eq(1), arg(1).ne(2n))
      rule.errno(13, "openat", arg(2).masked(3, 1), arg(3).lt(4), arg(4).le(5), arg(5).gt(6))
      rule.kill("kill", arg(0).ge(-1))
    }, { default: "allow" })
    expect(p.rules[0]).toEqual({
      action: { kind: "allow" },
      syscalls: ["socket", "socketpair"],
      args: [{ index: 0, op: "==", value: 1n }, { index: 1, op: "!=", value: 2n }]
    })
    expect(p.rules[1]?.args).toEqual([
      { index: 2, op: "masked==", mask: 3n, value: 1n },
      { index: 3, op: "<", value: 4n },
      { index: 4, op: "<=", value: 5n },
      { index: 5, op: ">", value: 6n }
    ])
    expect(p.rules[2]?.args).toEqual([{ index: 0, op: ">=", value: 0xffff_ffff_ffff_ffffn }])
  })

  it("takes any action with add() and the launcher's syscalls with allowLauncher()", () => {
    const p = policy((rule) => rule.add({ trace: 3 }, "ptrace").add("kill-process", "mkdir").allowLauncher(), { default: "kill" })
    expect(p.rules.map((r) => r.action)).toEqual([{ kind: "trace", value: 3 }, { kind: "kill" }, { kind: "allow" }])
    expect(p.rules[2]?.syscalls).toEqual([...launcherSyscalls])
  })

  it("passes attributes and arches through, with defaults for the rest", () => {
    const p = policy(() => {}, { default: "allow", attributes: { optimize: 2, badArch: { errno: "ENOSYS" } }, arches: ["x86"] })
    expect(p.attributes).toEqual({ noNewPrivs: true, log: false, optimize: 2, badArch: { kind: "errno", errno: 38 }, acknowledgeUnfilteredAbis: false })
    expect(p.arches).toEqual(["x86"])
  })

  it("returns a deeply frozen Policy that policy() hands back as is", () => {
    const p = policy((rule) => rule.allow("socket", arg(0).eq(1)), { default: "kill" })
    expect(isPolicy(p)).toBe(true)
    expect(policy(p)).toBe(p)
    expect(Object.isFrozen(p.rules[0]?.args[0])).toBe(true)
    expect(() => (p.rules as Array<unknown>).push(1)).toThrow(TypeError)
  })

  it("reports DSL mistakes at the same paths as JSON", () => {
    // @ts-expect-error 7 is not an ArgIndex
    const error = policyError(() => policy((rule) => rule.allow("read").kill("mkdir", arg(7).eq(1)), { default: "allow" }))
    expect(error.reason).toBe("BadArgIndex")
    expect(error.message).toBe("Invalid seccomp policy at rules[1].args[0].index: Argument index 7 is out of range: use 0 to 5")
  })

  it("rejects a non-integer argument value", () => {
    const error = policyError(() => policy((rule) => rule.kill("kill", arg(0).eq(1.5)), { default: "allow" }))
    expect(error.reason).toBe("BadValue")
    expect(error.path).toBe("rules[0].args[0].value")
  })
})
