/**
 * In-process loading (the seed's `context.load`): install a policy's filter
 * into the running program itself, with TSYNC so that every thread, the
 * runtime's worker pools included, is filtered, not just the calling one.
 * Irreversible: the filter stays for the life of the process and its children.
 */
import { Data, Effect, type Cause } from "effect"
import { errnoText } from "../../core/errno.ts"
import { NativeLibrary, type Native } from "../../core/native.ts"
import { compile } from "./compile.ts"
import { deniesAnything } from "./expand.ts"
import { familyPrefix } from "./families.ts"
import { floorRules } from "./floor.ts"
import type { PolicyError } from "./errors.ts"
import type { SeccompLibrary } from "./library.ts"
import type { Policy, Rule } from "./model.ts"

const PR_SET_NO_NEW_PRIVS = 38
const SECCOMP_FILTER_FLAG_TSYNC = 1

interface LoadErrorFields {
  /** "NoNewPrivs": prctl refused; "Rejected": the kernel refused the filter; "ThreadSync": a thread could not take it. */
  readonly reason: "NoNewPrivs" | "Rejected" | "ThreadSync"
  readonly errno?: number
  /** The thread that could not be synchronised (it has a filter of its own that diverges). */
  readonly thread?: number
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const LoadErrorBase: new (args: LoadErrorFields) => Cause.YieldableError & { readonly _tag: "SeccompLoadError" } & Readonly<LoadErrorFields> =
  Data.TaggedError("SeccompLoadError")

/** The filter could not be loaded into this process; the process is unchanged. */
export class SeccompLoadError extends LoadErrorBase {
  override get message(): string {
    switch (this.reason) {
      case "NoNewPrivs":
        return `Cannot load the seccomp filter into this process: setting no-new-privs failed with ${errnoText(this.errno ?? 0)}`
      case "Rejected":
        return `Cannot load the seccomp filter into this process: the kernel refused it with ${errnoText(this.errno ?? 0)}`
      case "ThreadSync":
        return `Cannot load the seccomp filter into this process: thread ${this.thread ?? "(unknown)"} has a diverging filter and cannot be synchronised`
    }
  }
}

const ESRCH = 3
/** SECCOMP_FILTER_FLAG_TSYNC_ESRCH: a thread that cannot sync fails the call with ESRCH (the result is then free for a listener fd). */
const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 16

/**
 * Sets no-new-privs (if the policy asks) and installs `bpf` into every thread
 * with TSYNC plus `extraFlags` (in-process traps add NEW_LISTENER, which the
 * kernel accepts with TSYNC only together with TSYNC_ESRCH). Succeeds with the
 * kernel's result: 0, or the listener fd when NEW_LISTENER is set.
 *
 * @example
 * ```ts
 * const listener = yield* installInProcess(native, policy, bpf, 8 | 16) // NEW_LISTENER | TSYNC_ESRCH
 * ```
 */
export const installInProcess = (native: Native, policy: Policy, bpf: Uint8Array, extraFlags = 0): Effect.Effect<number, SeccompLoadError> =>
  Effect.suspend(() => {
    if (policy.attributes.noNewPrivs) {
      const result = native.prctl(PR_SET_NO_NEW_PRIVS, 1n, 0n, 0n, 0n)
      if (result < 0) return Effect.fail(new SeccompLoadError({ reason: "NoNewPrivs", errno: -result }))
    }
    const result = native.installFilter(native.prepareFilter(bpf), SECCOMP_FILTER_FLAG_TSYNC | extraFlags)
    if (result === -ESRCH && (extraFlags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) !== 0) return Effect.fail(new SeccompLoadError({ reason: "ThreadSync" }))
    if (result < 0) return Effect.fail(new SeccompLoadError({ reason: "Rejected", errno: -result }))
    // With plain TSYNC a positive result is the id of a thread that could not take the filter.
    if (result > 0 && extraFlags === 0) return Effect.fail(new SeccompLoadError({ reason: "ThreadSync", thread: result }))
    return Effect.succeed(result)
  })

/**
 * Load a policy into the current process and all its threads. The policy is
 * compiled (cached) first, so a bad policy fails before anything changes.
 *
 * @example
 * ```ts
 * yield* loadPolicy(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
 * // from here on fs.mkdirSync and fs.promises.mkdir both fail with EPERM
 * ```
 */
export const loadPolicy = (policy: Policy): Effect.Effect<void, PolicyError | SeccompLoadError, SeccompLibrary | Native> =>
  Effect.gen(function* () {
    const { bpf } = yield* compile(forThisProcess(policy))
    const native = yield* NativeLibrary
    yield* installInProcess(native, policy, bpf)
  })

/**
 * The policy as loaded into the running process (`loadPolicy`,
 * `trapInProcess`) rather than into a child: the io_uring entry denies
 * io_uring_setup only. The runtime's event loop (Node's libuv) set up its ring
 * before the filter and aborts when io_uring_enter fails; new rings, which
 * are what code running after the load could use, stay denied. Rings that
 * existed before the load are outside any filter: say so in the docs.
 *
 * @example
 * ```ts
 * forThisProcess(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })).rules.at(-1)?.syscalls // ["io_uring_setup"]
 * ```
 */
export const forThisProcess = (policy: Policy): Policy => {
  const named = policy.rules.some((rule) => rule.args.length === 0 && (rule.syscalls.includes("io_uring_setup") || rule.syscalls.includes(`${familyPrefix}io_uring`)))
  const action = floorRules.find((rule) => rule.entry === "io_uring")?.action
  if (!policy.floor.io_uring || !deniesAnything(policy) || named || action === undefined) return policy
  const setupOnly: Rule = { action, syscalls: ["io_uring_setup"], args: [], comment: "floor.io_uring, in process: new rings only" }
  return { ...policy, floor: { ...policy.floor, io_uring: false }, rules: [...policy.rules, setupOnly] }
}
