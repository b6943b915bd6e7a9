/**
 * In-process traps (the seed's `Seccomp.on_trap`): load a policy into this
 * program, and have its `trap` (and `notify`) rules fail the call with a fixed
 * errno while a handler here is told which syscall it was.
 *
 * Why a helper process: a SIGSYS handler cannot work inside a JS runtime
 * (design.md), and a listener served by a thread of this program would be
 * served by a filtered thread (TSYNC) that can block on its own notified call.
 * So the trapped rules become notify rules (NEW_LISTENER | TSYNC | TSYNC_ESRCH),
 * and a helper process, started before the filter, takes the listener with
 * pidfd_getfd, answers each call at once with the errno, and streams reports
 * back over a pipe this program reads asynchronously. Nothing this program
 * does is needed for a trapped call to finish, so it cannot deadlock itself,
 * even when the handler makes a trapped call. Between loading and the helper
 * taking the listener (milliseconds) trapped calls wait; once it holds the
 * listener this program closes its copy, so if the helper dies, trapped calls
 * fail with ENOSYS (the kernel's answer without a listener): fail closed.
 */
import { Data, Effect, type Cause } from "effect"
import { constants } from "../../../core/arch/generic.ts"
import { errnoText, errnoValue, type ErrnoName } from "../../../core/errno.ts"
import { NativeLibrary } from "../../../core/native.ts"
import { compile } from "../compile.ts"
import type { PolicyError } from "../errors.ts"
import { SeccompLibrary } from "../library.ts"
import { forThisProcess, installInProcess, type SeccompLoadError } from "../load.ts"
import type { Action, Policy } from "../model.ts"
import type { Notification } from "./handler.ts"
import { nameCache } from "./hook.ts"

const { SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC_ESRCH } = constants
const defaultTimeoutMs = 10_000

/**
 * A trapped call as the handler sees it, the fields of a child's `Notification`
 * that mean something here (`pid` is the calling thread's id); it has already
 * failed with the errno.
 *
 * @example
 * ```ts
 * import type { TrappedCall } from "kakoi"
 *
 * const describe = (call: TrappedCall): string => `thread ${call.pid}: ${call.name}(${call.args.map((a) => `0x${a.toString(16)}`).join(", ")})`
 * ```
 */
export type TrappedCall = Pick<Notification, "pid" | "syscall" | "name" | "arch" | "args" | "instructionPointer">

/**
 * Options of `trapInProcess`.
 *
 * @example
 * ```ts
 * import { policy, trapInProcess, type TrapOptions } from "kakoi"
 *
 * const options: TrapOptions = {
 *   errno: "EACCES",
 *   onTrap: (call) => console.error(`trapped ${call.name}`),
 *   onDropped: (count) => console.error(`${count} reports dropped`),
 *   timeoutMs: 5000
 * }
 * await trapInProcess(policy((rule) => rule.trap("uname"), { default: "allow" }), options)
 * ```
 */
export interface TrapOptions {
  /** What every trapped call returns (default EPERM); fixed, the handler cannot change it. */
  readonly errno?: ErrnoName | number
  /** Told of each trapped call, asynchronously, after it returned. What it throws is ignored. */
  readonly onTrap: (call: TrappedCall) => void | Promise<void>
  /** Told how many reports were dropped because this program read them too slowly. */
  readonly onDropped?: (count: number) => void
  /** How long the helper may take to start and to take the listener (default 10000 ms). */
  readonly timeoutMs?: number
}

/**
 * The helper process as the loader sees it (adapters/shared/trap-helper-host.ts).
 *
 * @example
 * ```ts
 * declare const start: StartTrapHelper
 * const helper = start(process.pid, 1)
 * const first = await helper.nextLine(1000) // "R"
 * ```
 */
export interface TrapHelper {
  readonly pid: number
  /** The next line it wrote, or undefined when it ended or `timeoutMs` passed. */
  readonly nextLine: (timeoutMs: number) => Promise<string | undefined>
  /** Every later line, in order. */
  readonly onLines: (receive: (line: string) => void) => void
  readonly kill: () => void
  /** Let this program exit while the helper runs (it dies with us). */
  readonly unref: () => void
  /** Why it could not be started (the runtime's error: on Deno, the missing `--allow-run`), once known; undefined otherwise. */
  readonly startError: () => string | undefined
}

/**
 * Starts a helper for `parentPid` that answers with `errno`: what each adapter
 * gives the core `trapInProcess` (a runtime instance running the helper script).
 *
 * @example
 * ```ts
 * import type { StartTrapHelper, TrapHelper } from "./in-process.ts"
 *
 * declare const spawnHelper: (argv: ReadonlyArray<string>) => TrapHelper
 * const start: StartTrapHelper = (parentPid, errno) => spawnHelper(["trap-helper", String(parentPid), String(errno)])
 * ```
 */
export type StartTrapHelper = (parentPid: number, errno: number) => TrapHelper

interface TrapErrorFields {
  /** "Helper": the helper could not start or may not take our fds; "Takeover": it did not take the loaded listener; "Errno": `options.errno` is not an errno. */
  readonly reason: "Helper" | "Takeover" | "Errno"
  readonly errno?: number | undefined
  readonly detail?: string | undefined
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const TrapErrorBase: new (args: TrapErrorFields) => Cause.YieldableError & { readonly _tag: "TrapError" } & Readonly<TrapErrorFields> =
  Data.TaggedError("TrapError")

/**
 * In-process traps could not be set up. `Helper` and `Errno` fail before the
 * filter is loaded (the process is unchanged); `Takeover` after: the filter
 * stays, and its trapped calls fail with ENOSYS, unreported.
 *
 * @example
 * ```ts
 * new TrapError({ reason: "Helper", errno: 1 }).message
 * // 'Cannot trap in process: the helper process may not take this program's fds (EPERM (Operation not permitted)); ...'
 * ```
 */
export class TrapError extends TrapErrorBase {
  override get message(): string {
    switch (this.reason) {
      case "Helper":
        return this.errno === undefined
          ? `Cannot trap in process: the helper process did not start${this.detail === undefined ? "" : `: ${this.detail}`}`
          : `Cannot trap in process: the helper process may not take this program's fds (${errnoText(this.errno)}); pidfd_getfd needs ptrace rights over this process`
      case "Takeover":
        return "In-process traps failed after loading: the helper did not take the listener; the filter stays and trapped calls fail with ENOSYS"
      case "Errno":
        return `Cannot trap in process: unknown errno ${this.detail ?? ""}`
    }
  }
}

const routed = (action: Action): Action => (action.kind === "trap" ? { kind: "notify" } : action)

/** `trap` becomes `notify` (SIGSYS cannot be handled in a JS runtime); `notify` rules are trapped too. */
const asNotifyPolicy = (policy: Policy): Policy => ({
  ...policy,
  default: routed(policy.default),
  rules: policy.rules.map((rule) => ({ ...rule, action: routed(rule.action) }))
})

interface Report {
  readonly pid: number
  readonly nr: number
  readonly arch: number
  readonly ip: string
  readonly args: ReadonlyArray<string>
  readonly dropped?: number
}

/**
 * Load `policy` into this process (every thread, TSYNC) with its `trap` and
 * `notify` rules failing with `options.errno` and reported to `options.onTrap`.
 * Succeeds once the helper serves the listener.
 *
 * Limits: reports arrive asynchronously, after the call returned; the handler
 * cannot change the outcome; a trapped call made between loading and the
 * takeover waits for it (milliseconds); threads created later inherit the
 * filter; one helper process (a runtime instance, tens of MB) lives as long as
 * this program; pidfd_getfd needs ptrace rights over this process; trapping
 * what the event loop needs (epoll_wait, read) stops the reports too.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { type StartTrapHelper, trapInProcess } from "./in-process.ts"
 *
 * // Each adapter passes its helper starter; kakoi's own trapInProcess (a Promise) does this for you.
 * declare const start: StartTrapHelper
 * const load = trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat"), { default: "allow" }), {
 *   errno: "EACCES",
 *   onTrap: (call) => console.error(`trapped ${call.name}(${call.args.join(", ")})`)
 * }, start)
 * ```
 */
export const trapInProcess = (
  policy: Policy,
  options: TrapOptions,
  start: StartTrapHelper
): Effect.Effect<void, PolicyError | SeccompLoadError | TrapError, SeccompLibrary | NativeLibrary> =>
  Effect.gen(function* () {
    const errno = errnoValue(options.errno ?? "EPERM")
    if (errno === undefined || !(errno > 0 && errno < 4096)) return yield* new TrapError({ reason: "Errno", detail: String(options.errno) })
    const trapped = asNotifyPolicy(forThisProcess(policy))
    const { bpf } = yield* compile(trapped)
    const native = yield* NativeLibrary
    const nameOf = nameCache(yield* SeccompLibrary)
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
    const helper = start(native.getpid(), errno)
    const ready = yield* Effect.promise(() => helper.nextLine(timeoutMs))
    if (ready !== "R") {
      helper.kill()
      const refused = ready?.startsWith("E ") ? Number(ready.slice(2)) : undefined
      return yield* new TrapError({ reason: "Helper", errno: refused, detail: ready === undefined ? (helper.startError() ?? "no answer") : undefined })
    }
    const listener = yield* installInProcess(native, trapped, bpf, SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH).pipe(
      Effect.tapError(() => Effect.sync(helper.kill))
    )
    const taken = yield* Effect.promise(() => helper.nextLine(timeoutMs))
    // Either way our copy goes: a listener only the helper holds makes its death fail calls (ENOSYS), not hang them.
    native.closeRange(listener, listener, 0)
    if (taken !== "T") {
      helper.kill()
      return yield* new TrapError({ reason: "Takeover" })
    }
    helper.onLines((line) => {
      let report: Report
      try {
        report = JSON.parse(line) as Report
      } catch {
        return
      }
      if (report.dropped !== undefined) return options.onDropped?.(report.dropped)
      const args = report.args.map(BigInt) as unknown as TrappedCall["args"]
      const call: TrappedCall = { pid: report.pid, syscall: report.nr, name: nameOf(report.arch, report.nr), arch: report.arch, args, instructionPointer: BigInt(report.ip) }
      void Promise.resolve().then(() => options.onTrap(call)).catch(() => undefined)
    })
    helper.unref()
  })
