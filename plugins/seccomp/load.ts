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
import type { PolicyError } from "./errors.ts"
import type { SeccompLibrary } from "./library.ts"
import type { Policy } from "./model.ts"
import { constants, errno } from "../../core/arch/generic.ts"

const { PR_SET_NO_NEW_PRIVS, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH } = constants

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

/** With SECCOMP_FILTER_FLAG_TSYNC_ESRCH a thread that cannot sync fails the call with ESRCH (the result is then free for a listener fd). */
const { ESRCH } = errno

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
    const { bpf } = yield* compile(policy)
    const native = yield* NativeLibrary
    yield* installInProcess(native, policy, bpf)
  })
