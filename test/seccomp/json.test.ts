/** The JSON policy format: decoding (with errors that name the JSON path) and serialising back. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { PolicyJson } from "../../plugins/seccomp/mod.ts"
import { decodePolicy, decodePolicyText, policy, toJson } from "../../plugins/seccomp/mod.ts"
import { policyError } from "./helpers.ts"

const minimal = {
  default: "allow",
  rules: [
    { action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] },
    { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }
  ]
}

describe("policy() with JSON", () => {
  it("accepts the minimal shape", () => {
    const p = policy(JSON.parse(JSON.stringify(minimal)) as PolicyJson)
    expect(p.default).toEqual({ kind: "allow" })
    expect(p.rules).toEqual([
      { action: { kind: "errno", errno: 1 }, syscalls: ["mkdir", "mkdirat"], args: [] },
      { action: { kind: "errno", errno: 13 }, syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2n }] }
    ])
  })

  it("accepts object-style actions for the default, rules and badArch", () => {
    const p = policy({
      default: { errno: "EPERM" },
      rules: [{ action: { trace: 7 }, syscalls: ["ptrace"] }, { action: { errno: 38 }, syscalls: ["bpf"] }, { action: "trace", trace: 9, syscalls: ["kill"] }],
      attributes: { badArch: { errno: "ENOSYS" }, log: true, noNewPrivs: false }
    })
    expect(p.default).toEqual({ kind: "errno", errno: 1 })
    expect(p.rules.map((r) => r.action)).toEqual([{ kind: "trace", value: 7 }, { kind: "errno", errno: 38 }, { kind: "trace", value: 9 }])
    expect(p.attributes).toEqual({ noNewPrivs: false, log: true, optimize: 1, badArch: { kind: "errno", errno: 38 }, acknowledgeUnfilteredAbis: false })
  })

  it("reads values above 2^53 from decimal strings, hex strings and negative numbers exactly", () => {
    const p = policy({
      default: "allow",
      rules: [{
        action: "kill",
        syscalls: ["mmap"],
        args: [
          { index: 0, op: "==", value: "18446744073709551615" },
          { index: 1, op: ">=", value: "0x123456789abcdef0" },
          { index: 2, op: "!=", value: -2 },
          { index: 3, op: "<", value: 9007199254740991 }
        ]
      }]
    })
    expect(p.rules[0]?.args.map((c) => c.value)).toEqual([18446744073709551615n, 0x123456789abcdef0n, 18446744073709551614n, 9007199254740991n])
  })

  it("reads the masked operator with its mask", () => {
    const p = policy({ default: "allow", rules: [{ action: "kill", syscalls: ["openat"], args: [{ index: 2, op: "masked==", mask: "0x3", value: 1 }] }] })
    expect(p.rules[0]?.args).toEqual([{ index: 2, op: "masked==", mask: 3n, value: 1n }])
  })

  it("treats args: null as no conditions and keeps comments", () => {
    const p = policy({ default: "allow", rules: [{ action: "kill", syscalls: ["mkdir"], args: null, comment: "no dirs" }] })
    expect(p.rules[0]).toEqual({ action: { kind: "kill" }, syscalls: ["mkdir"], args: [], comment: "no dirs" })
  })

  it("names the JSON path of a wrong type", () => {
    const error = policyError(() => policy(JSON.parse('{"default":"allow","rules":[{"action":"kill","syscalls":["x"]},{"action":"kill","syscalls":["y"],"args":[{"index":0,"op":4,"value":1}]}]}') as PolicyJson))
    expect(error.reason).toBe("InvalidJson")
    expect(error.path).toBe("rules[1].args[0].op")
    expect(error.message).toBe("Invalid seccomp policy at rules[1].args[0].op: Expected string")
  })

  it("names a missing key and rejects unknown keys (a misspelt args would widen the rule)", () => {
    expect(policyError(() => policy(JSON.parse('{"rules":[]}') as PolicyJson)).message).toBe("Invalid seccomp policy at default: Missing key")
    const typo = policyError(() => policy(JSON.parse('{"default":"allow","rules":[{"action":"kill","syscalls":["x"],"arg":[]}]}') as PolicyJson))
    expect(typo.message).toBe("Invalid seccomp policy at rules[0].arg: Unexpected key")
  })

  it("rejects a masked operator without a mask, and a mask on another operator", () => {
    const missing = policyError(() => policy(JSON.parse('{"default":"allow","rules":[{"action":"kill","syscalls":["x"],"args":[{"index":0,"op":"masked==","value":1}]}]}') as PolicyJson))
    expect(missing.message).toBe('Invalid seccomp policy at rules[0].args[0].mask: Operator "masked==" needs a "mask"')
    const extra = policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["x"], args: [{ index: 0, op: "==", mask: 1, value: 1 }] }] }))
    expect(extra.path).toBe("rules[0].args[0].mask")
  })

  it("asks for the errno of an errno action", () => {
    const error = policyError(() => policy(JSON.parse('{"default":"allow","rules":[{"action":"errno","syscalls":["mkdir"]}]}') as PolicyJson))
    expect(error.message).toBe('Invalid seccomp policy at rules[0].errno: Action "errno" needs a value: add "errno": "EPERM" next to "action"')
    const onDefault = policyError(() => policy(JSON.parse('{"default":"errno"}') as PolicyJson))
    expect(onDefault.message).toBe('Invalid seccomp policy at default: Action "errno" needs a value: write {"errno": "EPERM"}')
  })

  it("rejects an errno value next to another action", () => {
    const error = policyError(() => policy({ default: "allow", rules: [{ action: "kill", errno: "EPERM", syscalls: ["mkdir"] }] }))
    expect(error.message).toBe('Invalid seccomp policy at rules[0].errno: "errno" goes with action "errno" only')
  })
})

describe("decodePolicy() and decodePolicyText()", () => {
  it("decode untyped input in an Effect", async () => {
    const p = await Effect.runPromise(decodePolicy(JSON.parse(JSON.stringify(minimal))))
    expect(p.rules).toHaveLength(2)
  })

  it("fail with PolicyError instead of throwing", async () => {
    const error = await Effect.runPromise(Effect.flip(decodePolicy({ default: "allow", rules: [{ action: "kil", syscalls: ["x"] }] })))
    expect(error._tag).toBe("PolicyError")
    expect(error.reason).toBe("UnknownAction")
  })

  it("report text that is not JSON", async () => {
    const error = await Effect.runPromise(Effect.flip(decodePolicyText("{default: allow}")))
    expect(error.reason).toBe("InvalidJson")
    expect(error.message).toMatch(/^Cannot parse JSON: /)
    expect((await Effect.runPromise(decodePolicyText('{"default": "kill"}'))).default).toEqual({ kind: "kill" })
  })
})

describe("toJson()", () => {
  it("writes the JSON format back, errnos by name, big values as decimal strings", () => {
    const p = policy({
      default: { errno: "EPERM" },
      rules: [
        { action: "errno", errno: "EACCES", syscalls: ["clone"], args: [{ index: 0, op: "==", value: 2 }] },
        { action: "trace", trace: 4, syscalls: ["kill"], args: [{ index: 1, op: "masked==", mask: "0xffffffffffffffff", value: 1 }] }
      ],
      attributes: { optimize: 2, badArch: "kill" },
      arches: ["x86"]
    })
    expect(toJson(p)).toEqual({
      default: { errno: "EPERM" },
      rules: [
        { action: "errno", errno: "EACCES", syscalls: ["clone"], args: [{ index: 0, op: "==", value: 2 }] },
        { action: "trace", trace: 4, syscalls: ["kill"], args: [{ index: 1, op: "masked==", mask: "18446744073709551615", value: 1 }] }
      ],
      attributes: { noNewPrivs: true, log: false, optimize: 2, badArch: "kill" },
      arches: ["x86"]
    })
  })

  it("round-trips through JSON text to an equal policy", () => {
    const p = policy((rule) => rule.errno("EPERM", "mkdir").kill("kill").log("openat"), { default: "allow", attributes: { log: true } })
    const again = policy(JSON.parse(JSON.stringify(toJson(p))) as PolicyJson)
    expect(again).toEqual(p)
    expect(again).not.toBe(p)
  })
})
