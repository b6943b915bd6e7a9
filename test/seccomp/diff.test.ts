/**
 * diff(): the calls two filters decide differently, found by running both in
 * the simulator: names and unnamed numbers of every listed ABI, conditions
 * found through representative arguments, raw BPF as an input.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import { arg, compile, diff, differenceLine, policy, type DiffInput } from "../../plugins/seccomp/mod.ts"

const run = (a: DiffInput, b: DiffInput) => Effect.runPromise(Effect.provide(diff(a, b), layer))

describe("diff()", () => {
  it("finds nothing between a policy and its own BPF", async () => {
    const p = policy((rule) => rule.errno("EPERM", "family:mkdir").kill("kexec_load"), { default: "allow" })
    const { bpf } = await Effect.runPromise(Effect.provide(compile(p), layer))
    expect(await run(p, bpf)).toEqual([])
  })

  it("runs numbers libseccomp has no name for, and other ABIs the policies list", async () => {
    const differences = await run(policy({ default: "allow", arches: ["x32"] }), policy({ default: { errno: "ENOSYS" }, arches: ["x32"], floor: false }))
    expect(differences.some((d) => d.arch === "x86_64" && d.syscall === "" && d.number > 460)).toBe(true)
    expect(differences.some((d) => d.arch === "x32" && d.syscall === "read" && d.number === 0x40000000)).toBe(true)
    expect(differences.map(differenceLine)).toContain("x86_64 read (0): allow vs errno ENOSYS")
  })

  it("finds a difference only some arguments show, high words included", async () => {
    const low = policy((rule) => rule.errno("EPERM", "kcmp", arg(3).eq(5)), { default: "allow" })
    const wide = policy((rule) => rule.errno("EPERM", "kcmp", arg(3).eq(0xffff_ffff_0000_0005n)), { default: "allow" })
    const [first, ...rest] = await run(low, wide)
    expect(rest).toEqual([])
    expect(first?.syscall).toBe("kcmp")
    expect(first?.args[3] === 5n || first?.args[3] === 0xffff_ffff_0000_0005n).toBe(true)
  })
})
