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
import { constants, errno } from "../../core/arch/generic.ts"
import { plan } from "./plan.ts"

const { PR_SET_NO_NEW_PRIVS, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH } = constants

interface LoadErrorFields {
  /**
   * "NoNewPrivs": prctl refused; "Rejected": the kernel refused the filter; "ThreadSync": a thread could not take it;
   * "NeedsHandler": a notify or trap action has nobody to answer it in this process (`trapInProcess` does).
   */
  readonly reason: "NoNewPrivs" | "Rejected" | "ThreadSync" | "NeedsHandler"
  readonly errno?: number
  /** The thread that could not be synchronised (it has a filter of its own that diverges). */
  readonly thread?: number
  /** For NeedsHandler: where the action is, e.g. `rules[0] ("mkdir")` or `the default action`, and which. */
  readonly subject?: string
  readonly action?: "notify" | "trap"
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const LoadErrorBase: new (args: LoadErrorFields) => Cause.YieldableError & { readonly _tag: "SeccompLoadError" } & Readonly<LoadErrorFields> =
  Data.TaggedError("SeccompLoadError")

/**
 * The filter could not be loaded into this process; the process is unchanged.
 *
 * @example
 * ```ts
 * import { SeccompLoadError } from "kakoi/seccomp"
 *
 * new SeccompLoadError({ reason: "NeedsHandler", subject: 'rules[0] ("mkdir")', action: "notify" }).message
 * // 'Cannot load the seccomp filter into this process: rules[0] ("mkdir") has the notify action, ...: use trapInProcess(...)'
 * ```
 */
export class SeccompLoadError extends LoadErrorBase {
  override get message(): string {
    switch (this.reason) {
      case "NoNewPrivs":
        return `Cannot load the seccomp filter into this process: setting no-new-privs failed with ${errnoText(this.errno ?? 0)}`
      case "Rejected":
        return `Cannot load the seccomp filter into this process: the kernel refused it with ${errnoText(this.errno ?? 0)}`
      case "ThreadSync":
        return `Cannot load the seccomp filter into this process: thread ${this.thread ?? "(unknown)"} has a diverging filter and cannot be synchronised`
      case "NeedsHandler":
        return `Cannot load the seccomp filter into this process: ${this.subject ?? "a rule"} has the ${this.action ?? "notify"} action, ` +
          `which nothing in this process could answer (${this.action === "trap" ? "SIGSYS cannot be handled in a JS runtime" : "every such call would fail with ENOSYS"}): ` +
          "use trapInProcess(policy, { onTrap }) to fail those calls with an errno and be told of each"
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
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 * import { NativeLibrary } from "../../core/native.ts"
 * import { installInProcess } from "./load.ts"
 *
 * const denyMkdir = policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat"), { default: "allow" })
 * const installed = Effect.gen(function* () {
 *   const { bpf } = yield* compile(denyMkdir)
 *   // extraFlags 8 | 16 (NEW_LISTENER | TSYNC_ESRCH) would succeed with a listener fd instead.
 *   return yield* installInProcess(yield* NativeLibrary, denyMkdir, bpf)
 * })
 * await Effect.runPromise(Effect.provide(installed, layer)) // 0: every thread now has the filter
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

/** The first action that needs a handler (notify, or trap: SIGSYS is unusable in a JS runtime), if any reaches the filter. */
const needingHandler = (policy: Policy): SeccompLoadError | undefined => {
  const handled = (kind: string): kind is "notify" | "trap" => kind === "notify" || kind === "trap"
  const entry = plan(policy).added.find((candidate) => handled(candidate.action.kind))
  const kind = entry?.action.kind ?? policy.default.kind
  if (!handled(kind)) return undefined
  const subject = entry === undefined ? "the default action" : `rules[${entry.rule}] ("${entry.syscall}")`
  return new SeccompLoadError({ reason: "NeedsHandler", subject, action: kind })
}

/**
 * Load a policy into the current process and all its threads. The policy is
 * compiled (cached) first, so a bad policy fails before anything changes; so
 * does one with notify or trap actions (reason `NeedsHandler`: use
 * `trapInProcess`), which nothing in this process could answer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { loadPolicy, policy } from "kakoi/seccomp"
 *
 * const denyMkdir = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] })
 * await Effect.runPromise(Effect.provide(loadPolicy(denyMkdir), layer))
 * // from here on fs.mkdirSync and fs.promises.mkdir both fail with EPERM
 * ```
 */
export const loadPolicy = (policy: Policy): Effect.Effect<void, PolicyError | SeccompLoadError, SeccompLibrary | NativeLibrary> =>
  Effect.gen(function* () {
    const unanswered = needingHandler(policy)
    if (unanswered !== undefined) return yield* unanswered
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
 * import { policy } from "kakoi/seccomp"
 * import { forThisProcess } from "./load.ts"
 *
 * forThisProcess(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })).rules.at(-1)?.syscalls // ["io_uring_setup"]
 * ```
 */
export const forThisProcess = (policy: Policy): Policy => {
  const named = policy.rules.some((rule) => rule.args.length === 0 && (rule.syscalls.includes("io_uring_setup") || rule.syscalls.includes(`${familyPrefix}io_uring`)))
  const action = floorRules.find((rule) => rule.entry === "io_uring")?.action
  if (!policy.floor.io_uring || !deniesAnything(policy) || action === undefined) return policy
  // The policy decides new rings itself: the floor must still leave the rings that exist (libuv's) working.
  if (named) return { ...policy, floor: { ...policy.floor, io_uring: false } }
  const setupOnly: Rule = { action, syscalls: ["io_uring_setup"], args: [], comment: "floor.io_uring, in process: new rings only" }
  return { ...policy, floor: { ...policy.floor, io_uring: false }, rules: [...policy.rules, setupOnly] }
}
