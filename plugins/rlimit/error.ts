/** The one error of the rlimit plugin: a limit that cannot be set as written. */
import type { Cause } from "effect"
import { Data } from "effect"

/**
 * What is wrong with a limit.
 *
 * @example
 * ```ts
 * import type { RlimitErrorReason } from "./error.ts"
 *
 * const reason: RlimitErrorReason = "SoftAboveHard"
 * ```
 */
export type RlimitErrorReason =
  /** The resource name is not one `setrlimit(2)` knows. */
  | "UnknownResource"
  /** The value is negative, fractional, too large or of the wrong type. */
  | "InvalidValue"
  /** The soft limit is above the hard limit: setrlimit(2) would fail with EINVAL. */
  | "SoftAboveHard"
  /** A CLI string is not `NAME=SOFT[:HARD]`. */
  | "InvalidSyntax"

interface RlimitErrorFields {
  readonly reason: RlimitErrorReason
  /** The resource as written (may be unknown), or the whole CLI string for InvalidSyntax. */
  readonly resource: string
  /** The rest of the message: the suggestion, the bad value and why. */
  readonly detail: string
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const RlimitErrorBase: new (args: RlimitErrorFields) => Cause.YieldableError & {
  readonly _tag: "RlimitError"
} & Readonly<RlimitErrorFields> = Data.TaggedError("RlimitError")

/**
 * A resource limit that cannot be applied; raised before any process exists.
 *
 * @example
 * ```ts
 * import { RlimitError } from "./error.ts"
 *
 * const error = new RlimitError({ reason: "UnknownResource", resource: "nofle", detail: ': did you mean "nofile"?' })
 * error.message // 'Unknown resource limit "nofle": did you mean "nofile"?'
 * ```
 */
export class RlimitError extends RlimitErrorBase {
  override get message(): string {
    switch (this.reason) {
      case "UnknownResource":
        return `Unknown resource limit "${this.resource}"${this.detail}`
      case "InvalidValue":
        return `Invalid value for resource limit "${this.resource}": ${this.detail}`
      case "SoftAboveHard":
        return `Soft limit of "${this.resource}" is above its hard limit: ${this.detail}`
      case "InvalidSyntax":
        return `Cannot parse resource limit "${this.resource}": ${this.detail}`
    }
  }
}
