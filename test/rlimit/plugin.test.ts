/** The rlimit plugin's hooks: validation at spawn, steps at preExec. */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { makeSpec, type ChildSpec } from "../../core/spec.ts"
import type { RlimitError, RlimitOptions } from "../../plugins/rlimit/mod.ts"
import { rlimit } from "../../plugins/rlimit/mod.ts"

const spec: ChildSpec<RlimitError> = makeSpec(["/bin/true"], { env: {}, stdio: "ignore" }, { env: () => ({}), stdio: ["ignore", "ignore", "ignore"] })

describe("rlimit()", () => {
  it("contributes one rlimit step per resource at preExec", () => {
    const plugin = rlimit({ nofile: 64, nproc: [10, 20], as: 512n * 1024n * 1024n, cpu: 5, core: 0 })
    expect(plugin.name).toBe("rlimit")
    expect(Effect.runSync(plugin.preExec!(spec))).toEqual([
      { kind: "rlimit", resource: "nofile", soft: 64n, hard: 64n },
      { kind: "rlimit", resource: "nproc", soft: 10n, hard: 20n },
      { kind: "rlimit", resource: "as", soft: 536870912n, hard: 536870912n },
      { kind: "rlimit", resource: "cpu", soft: 5n, hard: 5n },
      { kind: "rlimit", resource: "core", soft: 0n, hard: 0n }
    ])
  })

  it("passes the spec through at spawn when the limits are valid", () => {
    expect(Effect.runSync(rlimit({ nofile: 64 }).spawn!(spec))).toBe(spec)
  })

  it("fails the spawn hook with RlimitError when a limit is invalid", () => {
    const plugin = rlimit({ nproc: [20, 10] })
    const exit = Effect.runSyncExit(plugin.spawn!(spec))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Effect.runSync(Effect.flip(plugin.spawn!(spec)))
    expect(error._tag).toBe("RlimitError")
    expect(error.message).toBe('Soft limit of "nproc" is above its hard limit: 20 > 10')
    expect(Effect.runSync(Effect.flip(plugin.preExec!(spec))).reason).toBe("SoftAboveHard")
  })

  it("fails for an unknown resource coming from untyped input", () => {
    const error = Effect.runSync(Effect.flip(rlimit({ nofiles: 1 } as unknown as RlimitOptions).spawn!(spec)))
    expect(error.message).toBe('Unknown resource limit "nofiles": did you mean "nofile"?')
  })
})
