/** Resource limits from `NAME=SOFT[:HARD]` command-line strings. */
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import type { RlimitError } from "../../plugins/rlimit/mod.ts"
import { parseRlimit, parseRlimits } from "../../plugins/rlimit/mod.ts"

const failure = (result: Result.Result<unknown, RlimitError>): RlimitError => {
  if (Result.isSuccess(result)) throw new Error("expected a failure")
  return result.failure
}

describe("parseRlimit()", () => {
  it.each([
    ["nofile=64", "nofile", 64n, 64n],
    ["nproc=10:20", "nproc", 10n, 20n],
    ["cpu=5:unlimited", "cpu", 5n, "unlimited"],
    ["stack=unlimited", "stack", "unlimited", "unlimited"],
    ["as=1G", "as", 1n << 30n, 1n << 30n],
    ["as=512M:1g", "as", 512n << 20n, 1n << 30n],
    ["memlock=64K", "memlock", 64n << 10n, 64n << 10n],
    ["core=0", "core", 0n, 0n],
    ["NOFILE=64", "nofile", 64n, 64n],
    ["RLIMIT_NOFILE=64", "nofile", 64n, 64n],
    ["  fsize=1M  ", "fsize", 1n << 20n, 1n << 20n]
  ])("parses %j", (text, resource, soft, hard) => {
    expect(Result.getOrThrow(parseRlimit(text))).toEqual({ kind: "rlimit", resource, soft, hard })
  })

  it.each([
    ["nofile", 'Cannot parse resource limit "nofile": expected NAME=SOFT[:HARD], e.g. "nofile=64" or "as=1G:2G"'],
    ["nofile=", 'Cannot parse resource limit "nofile=": expected NAME=SOFT[:HARD], e.g. "nofile=64" or "as=1G:2G"'],
    ["nofile=1:2:3", 'Cannot parse resource limit "nofile=1:2:3": expected NAME=SOFT[:HARD], e.g. "nofile=64" or "as=1G:2G"'],
    ["nofile=abc", 'Cannot parse resource limit "nofile=abc": "abc" is not a whole number or "unlimited"'],
    ["nofile=-1", 'Cannot parse resource limit "nofile=-1": "-1" is not a whole number or "unlimited"'],
    ["as=1T", 'Cannot parse resource limit "as=1T": "1T" is not a whole number or "unlimited"'],
    ["nofile=1K", 'Cannot parse resource limit "nofile=1K": "nofile" is a count, so "K" does not apply: K, M and G are for limits in bytes'],
    ["cpu=1M", 'Cannot parse resource limit "cpu=1M": "cpu" is in seconds, so "M" does not apply: K, M and G are for limits in bytes']
  ])("rejects %j with InvalidSyntax", (text, message) => {
    const error = failure(parseRlimit(text))
    expect(error.reason).toBe("InvalidSyntax")
    expect(error.message).toBe(message)
  })

  it("rejects an unknown name with a suggestion", () => {
    expect(failure(parseRlimit("nofle=64")).message).toBe('Unknown resource limit "nofle": did you mean "nofile"?')
  })

  it("rejects a soft limit above the hard limit", () => {
    expect(failure(parseRlimit("nproc=20:10")).message).toBe('Soft limit of "nproc" is above its hard limit: 20 > 10')
  })

  it("rejects a limit that overflows RLIM_INFINITY", () => {
    expect(failure(parseRlimit("as=18446744073709551615")).reason).toBe("InvalidValue")
    expect(failure(parseRlimit("as=17179869184G")).reason).toBe("InvalidValue")
  })
})

describe("parseRlimits()", () => {
  it("collects flags into options, the last one for a resource winning", () => {
    expect(Result.getOrThrow(parseRlimits(["nofile=64", "core=0", "nofile=128:256"]))).toEqual({
      core: [0n, 0n],
      nofile: [128n, 256n]
    })
  })

  it("fails on the first bad flag", () => {
    expect(failure(parseRlimits(["nofile=64", "nofle=1", "bogus"])).reason).toBe("UnknownResource")
  })
})
