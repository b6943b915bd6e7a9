/** Every structural check `policy()` makes, with the message people read. */
import { describe, expect, it } from "vitest"
import { arg, policy } from "../../plugins/seccomp/mod.ts"
import type { ActionInput, PolicyJson } from "../../plugins/seccomp/mod.ts"
import { policyError } from "./helpers.ts"

const ruleWith = (rule: Record<string, unknown>): PolicyJson => ({ default: "allow", rules: [{ action: "kill", syscalls: ["mkdir"], ...rule }] } as PolicyJson)

describe("policy() validation", () => {
  it("rejects an unknown action with a suggestion", () => {
    const error = policyError(() => policy(ruleWith({ action: "kil" })))
    expect(error.reason).toBe("UnknownAction")
    expect(error.message).toBe('Invalid seccomp policy at rules[0].action: Unknown action "kil": did you mean "kill"?')
  })

  it("lists the action names when nothing is close", () => {
    const error = policyError(() => policy({ default: "permit" as ActionInput }))
    expect(error.message).toBe('Invalid seccomp policy at default: Unknown action "permit": use one of "allow", "kill", "kill-thread", "trap", "log", "notify", "kill-process", "errno", "trace"')
  })

  it("rejects an unknown errno name with suggestions, case-insensitively", () => {
    const error = policyError(() => policy(ruleWith({ action: "errno", errno: "EPRM" })))
    expect(error.reason).toBe("UnknownErrno")
    expect(error.message).toBe('Invalid seccomp policy at rules[0].errno: Unknown errno "EPRM": did you mean "EPERM"?')
    expect(policyError(() => policy({ default: { errno: "eperm" as "EPERM" } })).suggestions).toEqual(["EPERM"])
  })

  it("rejects errno and trace numbers out of range", () => {
    expect(policyError(() => policy({ default: { errno: 5000 } })).message).toBe(
      'Invalid seccomp policy at default.errno: Invalid value "5000": expected an errno name or a number from 0 to 4095'
    )
    expect(policyError(() => policy({ default: { trace: 70000 } })).path).toBe("default.trace")
  })

  it("rejects an argument index outside 0 to 5", () => {
    for (const index of [-1, 6, 1.5]) {
      const error = policyError(() => policy(ruleWith({ args: [{ index, op: "==", value: 1 }] })))
      expect(error.reason).toBe("BadArgIndex")
      expect(error.path).toBe("rules[0].args[0].index")
    }
  })

  it("rejects an unknown operator", () => {
    const error = policyError(() => policy(ruleWith({ args: [{ index: 0, op: "=~", value: 1 }] })))
    expect(error.reason).toBe("BadOperator")
    expect(error.message).toBe('Invalid seccomp policy at rules[0].args[0].op: Unknown operator "=~": use one of "==", "!=", "<", "<=", ">", ">=", "masked=="')
  })

  it("rejects values that are not 64-bit integers", () => {
    for (const value of ["12abc", "18446744073709551616", 2 ** 60, "-9223372036854775809", ""]) {
      const error = policyError(() => policy(ruleWith({ args: [{ index: 0, op: "==", value }] })))
      expect(error.reason).toBe("BadValue")
      expect(error.path).toBe("rules[0].args[0].value")
    }
  })

  it("rejects two conditions on one argument in one rule (libseccomp refuses them)", () => {
    const error = policyError(() => policy((rule) => rule.allow("read").kill("mmap", arg(2).ge(1), arg(3).eq(0), arg(2).le(7)), { default: "allow" }))
    expect(error.reason).toBe("DuplicateCondition")
    expect(error.message).toBe(
      "Invalid seccomp policy at rules[1].args[2]: Argument 2 is compared twice in one rule: libseccomp allows one condition per argument (first compared at args[0])"
    )
  })

  it("rejects a rule without syscalls", () => {
    const error = policyError(() => policy((rule) => rule.kill(arg(0).eq(1)), { default: "allow" }))
    expect(error.reason).toBe("EmptyRule")
    expect(error.message).toBe("Invalid seccomp policy at rules[0].syscalls: Rule names no syscall")
  })

  it("rejects two rules with the same conditions and different actions (libseccomp: -EEXIST)", () => {
    const error = policyError(() => policy((rule) => rule.kill("kill", arg(0).eq(1)).errno("EPERM", "kill", arg(0).eq(1)), { default: "allow" }))
    expect(error.reason).toBe("ConflictingRule")
    expect(error.message).toBe('Invalid seccomp policy at rules[1]: Rule for "kill" repeats the conditions of rules[0] (kill) with a different action')
  })

  it("rejects an optimize level other than 1 or 2", () => {
    const error = policyError(() => policy({ default: "allow", attributes: { optimize: 3 as 2 } }))
    expect(error.reason).toBe("BadValue")
    expect(error.path).toBe("attributes.optimize")
  })

  it("requires options with a default for a DSL policy", () => {
    // @ts-expect-error the options are required
    expect(policyError(() => policy(() => {})).path).toBe("default")
  })
})
