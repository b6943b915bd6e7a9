/** Validation of resource limits as users write them. */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import type { RlimitError, RlimitOptions } from "../../plugins/rlimit/mod.ts"
import { rlimitStep, rlimitSteps } from "../../plugins/rlimit/mod.ts"

const failure = (result: Result.Result<unknown, RlimitError>): RlimitError => {
  if (Result.isSuccess(result)) throw new Error(`expected a failure, got ${String(result.success)}`)
  return result.failure
}

describe("rlimitSteps()", () => {
  it("turns one value into soft = hard and keeps the order written", () => {
    expect(Result.getOrThrow(rlimitSteps({ nofile: 64, core: 0, as: 512n * 1024n * 1024n }))).toEqual([
      { kind: "rlimit", resource: "nofile", soft: 64n, hard: 64n },
      { kind: "rlimit", resource: "core", soft: 0n, hard: 0n },
      { kind: "rlimit", resource: "as", soft: 536870912n, hard: 536870912n }
    ])
  })

  it("takes a pair as [soft, hard] and \"unlimited\" on either side", () => {
    expect(Result.getOrThrow(rlimitSteps({ nproc: [10, 20], cpu: [5, "unlimited"], stack: "unlimited" }))).toEqual([
      { kind: "rlimit", resource: "nproc", soft: 10n, hard: 20n },
      { kind: "rlimit", resource: "cpu", soft: 5n, hard: "unlimited" },
      { kind: "rlimit", resource: "stack", soft: "unlimited", hard: "unlimited" }
    ])
  })

  it("accepts the largest finite limit as a bigint", () => {
    const largest = (1n << 64n) - 2n
    expect(Result.getOrThrow(rlimitStep("fsize", largest))).toMatchObject({ soft: largest, hard: largest })
  })

  it("skips resources set to undefined and accepts no limits at all", () => {
    expect(Result.getOrThrow(rlimitSteps({ nofile: undefined } as unknown as RlimitOptions))).toEqual([])
    expect(Result.getOrThrow(rlimitSteps({}))).toEqual([])
  })

  it("rejects an unknown resource with a suggestion", () => {
    const error = failure(rlimitSteps({ nofle: 64 } as unknown as RlimitOptions))
    expect(error.reason).toBe("UnknownResource")
    expect(error.message).toBe('Unknown resource limit "nofle": did you mean "nofile"?')
  })

  it("suggests the kakoi spelling for RLIMIT_NOFILE and NOFILE", () => {
    expect(failure(rlimitStep("RLIMIT_NOFILE", 1)).message).toBe('Unknown resource limit "RLIMIT_NOFILE": did you mean "nofile"?')
    expect(failure(rlimitStep("NOFILE", 1)).message).toBe('Unknown resource limit "NOFILE": did you mean "nofile"?')
  })

  it("lists the resources when nothing is close", () => {
    expect(failure(rlimitStep("bandwidth", 1)).message).toMatch(/^Unknown resource limit "bandwidth": expected one of "cpu", "fsize", .*"rttime"$/)
  })

  it("rejects a soft limit above the hard limit", () => {
    const error = failure(rlimitStep("nproc", [20, 10]))
    expect(error.reason).toBe("SoftAboveHard")
    expect(error.message).toBe('Soft limit of "nproc" is above its hard limit: 20 > 10')
    expect(failure(rlimitStep("nproc", ["unlimited", 10])).message).toBe(
      'Soft limit of "nproc" is above its hard limit: "unlimited" > 10'
    )
  })

  it.each([
    [-1, 'Invalid value for resource limit "nofile": -1 is negative'],
    [-1n, 'Invalid value for resource limit "nofile": -1 is negative'],
    [1.5, 'Invalid value for resource limit "nofile": 1.5 is not an integer'],
    [Number.NaN, 'Invalid value for resource limit "nofile": NaN is not a number'],
    [Number.POSITIVE_INFINITY, 'Invalid value for resource limit "nofile": Infinity is not an integer: use "unlimited" for no limit'],
    [2 ** 60, 'Invalid value for resource limit "nofile": 1152921504606847000 is not exact: write it as a bigint'],
    [(1n << 64n) - 1n, 'Invalid value for resource limit "nofile": 18446744073709551615 is too large: the largest limit is 18446744073709551614, use "unlimited" for no limit'],
    ["64", 'Invalid value for resource limit "nofile": expected a number, a bigint or "unlimited", got "64"'],
    [[1, 2, 3], 'Invalid value for resource limit "nofile": expected [soft, hard], got 3 values'],
    [[1, -2], 'Invalid value for resource limit "nofile": hard limit -2 is negative']
  ])("rejects %s", (value, message) => {
    const error = failure(rlimitStep("nofile", value))
    expect(error.reason).toBe("InvalidValue")
    expect(error.message).toBe(message)
  })
})
