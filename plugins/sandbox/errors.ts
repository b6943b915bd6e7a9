/**
 * The one error of the fences (sandbox, landlock, mounts, network, identity,
 * cgroup, containment): an option that cannot mean anything, a fence this host
 * cannot enforce, or a call in the supervisor that failed. Each message says
 * what happened, then what to do.
 */
import { Data, type Cause } from "effect"
import { errnoText } from "../../core/errno.ts"

/**
 * Which fence an error is about.
 *
 * @example
 * ```ts
 * import type { Fence } from "./errors.ts"
 *
 * const fence: Fence = "landlock"
 * ```
 */
export type Fence = "sandbox" | "landlock" | "mounts" | "network" | "identity" | "cgroup" | "containment"

/**
 * What is wrong.
 *
 * @example
 * ```ts
 * import type { FenceErrorReason } from "./errors.ts"
 *
 * const reason: FenceErrorReason = "Unsupported"
 * ```
 */
export type FenceErrorReason =
  /** An option is malformed, unknown or contradicts another; `path` is its JSON path. */
  | "InvalidOption"
  /** The running kernel or host lacks what the fence needs (a Landlock ABI, user namespaces, a controller). */
  | "Unsupported"
  /** The supervisor has no cgroup v2 it may manage (not mounted, not writable, not delegated). */
  | "NoDelegation"
  /** A cgroup controller the limits need is not available in the supervisor's cgroup. */
  | "ControllerMissing"
  /** A call the supervisor makes for the fence failed (opening a path for a rule, writing a cgroup file). */
  | "SystemCallFailed"

interface FenceErrorFields {
  readonly reason: FenceErrorReason
  readonly fence: Fence
  /** The JSON path of the option (InvalidOption), or the subject: a path, a file, a capability. */
  readonly path: string
  /** What happened, in a few words. */
  readonly detail: string
  /** What to do about it; empty when nothing is to be said. */
  readonly hint: string
  readonly errno?: number
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const FenceErrorBase: new (args: FenceErrorFields) => Cause.YieldableError & {
  readonly _tag: "FenceError"
} & Readonly<FenceErrorFields> = Data.TaggedError("FenceError")

/**
 * A fence that cannot be set up as asked; raised before any process exists.
 *
 * @example
 * ```ts
 * import { FenceError } from "./errors.ts"
 *
 * const error = new FenceError({ reason: "InvalidOption", fence: "sandbox", path: "network", detail: 'Unknown value "nope"', hint: 'use "none", "loopback", "host" or { connect, bind }' })
 * error.message // 'Invalid sandbox option at network: Unknown value "nope"; use "none", "loopback", "host" or { connect, bind }'
 * ```
 */
export class FenceError extends FenceErrorBase {
  override get message(): string {
    const hint = this.hint === "" ? "" : `; ${this.hint}`
    const errno = this.errno === undefined ? "" : `: ${errnoText(this.errno)}`
    switch (this.reason) {
      case "InvalidOption":
        return `Invalid ${this.fence} option at ${this.path}: ${this.detail}${hint}`
      case "Unsupported":
        return `The ${this.fence} fence cannot be enforced on this host (${this.path}): ${this.detail}${hint}`
      case "NoDelegation":
        return `No cgroup v2 to manage for the ${this.fence} fence (${this.path}): ${this.detail}${hint}`
      case "ControllerMissing":
        return `The ${this.fence} fence needs a cgroup controller this host does not offer (${this.path}): ${this.detail}${hint}`
      case "SystemCallFailed":
        return `The ${this.fence} fence could not be prepared: ${this.detail} "${this.path}"${errno}${hint}`
    }
  }
}

/**
 * The error for one bad option.
 *
 * @example
 * ```ts
 * import { invalidOption } from "./errors.ts"
 *
 * invalidOption("landlock", "read[0]", "expected an absolute path, got \"etc\"", "").message
 * // 'Invalid landlock option at read[0]: expected an absolute path, got "etc"'
 * ```
 */
export const invalidOption = (fence: Fence, path: string, detail: string, hint = ""): FenceError =>
  new FenceError({ reason: "InvalidOption", fence, path, detail, hint })
