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
        return `Cannot load the seccomp filter into this process: thread ${this.thread} has a diverging filter and cannot be synchronised`
    }
  }
}

const install = (native: Native, policy: Policy, bpf: Uint8Array): Effect.Effect<void, SeccompLoadError> =>
  Effect.suspend(() => {
    if (policy.attributes.noNewPrivs) {
      const result = native.prctl(PR_SET_NO_NEW_PRIVS, 1n, 0n, 0n, 0n)
      if (result < 0) return Effect.fail(new SeccompLoadError({ reason: "NoNewPrivs", errno: -result }))
    }
    const result = native.installFilter(native.prepareFilter(bpf), SECCOMP_FILTER_FLAG_TSYNC)
    if (result < 0) return Effect.fail(new SeccompLoadError({ reason: "Rejected", errno: -result }))
    // With TSYNC a positive result is the id of a thread that could not take the filter.
    if (result > 0) return Effect.fail(new SeccompLoadError({ reason: "ThreadSync", thread: result }))
    return Effect.void
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
    yield* install(native, policy, bpf)
  })
