/**
 * Attacks on how rules combine (plan.ts, libseccomp's precedence): two rules
 * for one syscall whose conditions both hold, where the less restrictive one
 * decides; and a condition that narrowing turns into "always", which makes a
 * rule unconditional and silently drops a denying rule beside it.
 */
import { describe, expect, it } from "vitest"
import type { PolicyJson, RuleJson } from "../../plugins/seccomp/mod.ts"
import { probe } from "./attack.ts"

const SYS = { socket: 41 }
const EACCES = 13
const denyInet = { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] } as const

/** The probe's line, or the reason of the PolicyError that refused the policy up front. */
const outcome = async (json: PolicyJson, ...args: ReadonlyArray<number>): Promise<string> => {
  try {
    return await probe(json, SYS.socket, ...args)
  } catch (error) {
    if ((error as { _tag?: string })._tag === "PolicyError") return `refused: ${(error as { reason: string }).reason}`
    throw error
  }
}

describe("overlapping rules for one syscall", () => {
  // FINDING (medium): "deny AF_INET sockets" beside "log stream sockets": for socket(AF_INET, SOCK_STREAM)
  // both hold, and libseccomp's tree lets the log rule decide (in either order of the rules): TCP sockets
  // are made. compile() reports nothing (no skip, no warning; explain says "the rule above comes first").
  // Expected: the denial holds (the most restrictive action wins, as the kernel does across filters),
  // or the policy is refused / warned about as ambiguous.
  it.each([
    ["deny first", [denyInet, { action: "log", syscalls: ["socket"], args: [{ index: 1, op: "==", value: 1 }] }]],
    ["log first", [{ action: "log", syscalls: ["socket"], args: [{ index: 1, op: "==", value: 1 }] }, denyInet]]
  ] as const)("a deny rule on AF_INET holds beside a log rule on SOCK_STREAM (%s)", async (_, rules) => {
    const result = await outcome({ default: "allow", rules: rules as ReadonlyArray<RuleJson> }, 2, 1, 0)
    expect(result).toMatch(new RegExp(`^(errno ${EACCES}|refused: .*)$`))
  })

  // FINDING (medium): `arg2 >= 0` narrows to "always" (32-bit protocol), so the log rule becomes
  // unconditional and libseccomp then drops every conditional rule for socket: the AF_INET denial is gone,
  // listed only in compile().skipped as "shadowed". The author wrote two conditional rules.
  it("a deny rule on AF_INET holds beside a log rule whose condition is always true", async () => {
    const json: PolicyJson = { default: "allow", rules: [denyInet, { action: "log", syscalls: ["socket"], args: [{ index: 2, op: ">=", value: 0 }] }] }
    const result = await outcome(json, 2, 1, 0)
    expect(result).toMatch(new RegExp(`^(errno ${EACCES}|refused: .*)$`))
  })

  // Same finding, in an allowlist: the AF_INET denial has the default's action, so libseccomp refuses it
  // (compile() lists it as same-as-default) and the overlapping allow of stream sockets decides alone.
  it("an allowlist's explicit AF_INET denial holds beside its allow of stream sockets", async () => {
    const json: PolicyJson = {
      default: { errno: "EACCES" },
      rules: [{ action: "allow", syscalls: ["@default", "@basic-io", "@file-system", "@memlock", "@process"] }, { action: "allow", syscalls: ["socket"], args: [{ index: 1, op: "==", value: 1 }] }, denyInet]
    }
    expect(await outcome(json, 2, 1, 0)).toMatch(new RegExp(`^(errno ${EACCES}|refused: .*)$`))
  })

  // Holds: the same pair without the overlap.
  it("a deny rule on AF_INET holds beside a log rule on AF_UNIX", async () => {
    const json: PolicyJson = { default: "allow", rules: [denyInet, { action: "log", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 1 }] }] }
    expect(await outcome(json, 2, 1, 0)).toBe(`errno ${EACCES}`)
    expect(await outcome(json, 1, 1, 0)).toMatch(/^ok \d+$/)
  })
})
