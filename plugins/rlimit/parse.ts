/**
 * Resource limits from the command line: `NAME=SOFT[:HARD]`, e.g. `nofile=64`,
 * `nproc=10:20`, `as=1G`, `core=0`, `cpu=5:unlimited`. Limits in bytes take a
 * binary K, M or G suffix; others do not, so `nofile=1K` is refused rather
 * than silently meaning 1024 files.
 */
import { Result } from "effect"
import type { RlimitResource, RlimitValue } from "../../core/steps.ts"
import { RlimitError } from "./error.ts"
import type { RlimitOptions, RlimitStep } from "./limits.ts"
import { rlimitStep } from "./limits.ts"
import type { RlimitUnit } from "./resources.ts"
import { isRlimitResource, rlimitUnit, unknownResource } from "./resources.ts"

const syntax = /^([A-Za-z_]+)=([^:=]+)(?::([^:=]+))?$/
const amount = /^(\d+)([KMG]?)$/i
const multiplier: Readonly<Record<string, bigint>> = { "": 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n }

const unitText: Readonly<Record<Exclude<RlimitUnit, "bytes">, string>> = {
  seconds: "is in seconds", microseconds: "is in microseconds", count: "is a count", priority: "is a priority"
}

const syntaxError = (text: string, detail: string): Result.Result<never, RlimitError> =>
  Result.fail(new RlimitError({ reason: "InvalidSyntax", resource: text, detail }))

/** One side of the limit: a whole number with an optional size suffix, or "unlimited". */
const parseAmount = (text: string, resource: RlimitResource, word: string): Result.Result<RlimitValue, RlimitError> => {
  if (word.toLowerCase() === "unlimited") return Result.succeed("unlimited")
  const match = amount.exec(word)
  const [digits, suffix] = [match?.[1], match?.[2]?.toUpperCase() ?? ""]
  if (digits === undefined) return syntaxError(text, `"${word}" is not a whole number or "unlimited"`)
  const unit = rlimitUnit[resource]
  if (suffix !== "" && unit !== "bytes") {
    return syntaxError(text, `"${resource}" ${unitText[unit]}, so "${suffix}" does not apply: K, M and G are for limits in bytes`)
  }
  return Result.succeed(BigInt(digits) * (multiplier[suffix] ?? 1n))
}

/**
 * Parses and validates one `NAME=SOFT[:HARD]` string. Names may be written
 * `NOFILE` or `RLIMIT_NOFILE` too; K, M and G are powers of 1024.
 *
 * @example
 * ```ts
 * import { parseRlimit } from "./parse.ts"
 *
 * parseRlimit("as=1G") // Success({ kind: "rlimit", resource: "as", soft: 1073741824n, hard: 1073741824n })
 * parseRlimit("nproc=10:unlimited") // Success({ kind: "rlimit", resource: "nproc", soft: 10n, hard: "unlimited" })
 * parseRlimit("nofle=64") // Failure(RlimitError: Unknown resource limit "nofle": did you mean "nofile"?)
 * ```
 */
export const parseRlimit = (text: string): Result.Result<RlimitStep, RlimitError> => {
  const match = syntax.exec(text.trim())
  const [name, softText, hardText] = [match?.[1], match?.[2], match?.[3]]
  if (name === undefined || softText === undefined) {
    return syntaxError(text, `expected NAME=SOFT[:HARD], e.g. "nofile=64" or "as=1G:2G"`)
  }
  const resource = name.toLowerCase().replace(/^rlimit_/, "")
  if (!isRlimitResource(resource)) return Result.fail(unknownResource(name))
  const soft = parseAmount(text, resource, softText)
  if (Result.isFailure(soft)) return Result.fail(soft.failure)
  const hard = hardText === undefined ? soft : parseAmount(text, resource, hardText)
  if (Result.isFailure(hard)) return Result.fail(hard.failure)
  return rlimitStep(resource, [soft.success, hard.success])
}

/**
 * Parses several `NAME=SOFT[:HARD]` strings (one per `--rlimit` flag) into
 * options for `rlimit()`. A resource given twice keeps the last value, as
 * repeated flags do elsewhere.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { parseRlimits } from "./parse.ts"
 * import { rlimit } from "./plugin.ts"
 *
 * const plugin = rlimit(Result.getOrThrow(parseRlimits(["nofile=64", "core=0"])))
 * ```
 */
export const parseRlimits = (texts: ReadonlyArray<string>): Result.Result<RlimitOptions, RlimitError> => {
  const options: { [Resource in RlimitResource]?: readonly [RlimitValue, RlimitValue] } = {}
  for (const text of texts) {
    const step = parseRlimit(text)
    if (Result.isFailure(step)) return Result.fail(step.failure)
    delete options[step.success.resource] // keep insertion order = order of the last occurrence
    options[step.success.resource] = [step.success.soft, step.success.hard]
  }
  return Result.succeed(options)
}
