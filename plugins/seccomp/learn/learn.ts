/**
 * Learn mode: run a command with every syscall notified and let through, then
 * turn what it made into a least-privilege policy: an allowlist of the
 * syscalls seen plus `launcherSyscalls`, every other call failing with an
 * errno (EPERM by default). The runner is the adapter's `runEffect`, so
 * learning works the same on Node, Deno and Bun.
 */
import { Effect } from "effect"
import type { RunEffect, RunOptions, RunResult } from "../../../core/api.ts"
import type { Plugin, PluginError } from "../../../core/plugin.ts"
import type { SpawnError } from "../../../core/errors.ts"
import type { ErrnoName } from "../../../core/errno.ts"
import type { PolicyError } from "../errors.ts"
import type { PolicyJson } from "../json.ts"
import { launcherSyscalls } from "../launcher.ts"
import type { SeccompLibrary } from "../library.ts"
import type { Policy } from "../model.ts"
import type { NotifyError } from "../notify/errors.ts"
import { seccomp } from "../plugin.ts"
import { decodePolicy } from "../policy.ts"
import { recorder, type LearnedSyscall } from "./record.ts"

/**
 * Options of a learn run: those of `run` (cwd, env, stdio, more plugins...)
 * and the errno the learned policy denies everything else with.
 *
 * @example
 * ```ts
 * const options: LearnOptions = { errno: "EACCES", stdio: "inherit" }
 * ```
 */
export interface LearnOptions<E = never, R = never> extends RunOptions<E, R> {
  /** The errno for syscalls the command never made (default EPERM). */
  readonly errno?: ErrnoName | number
}

/**
 * What a learn run found.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi"
 * import { type LearnResult, learnEffect, toJson } from "kakoi/seccomp"
 *
 * const { exit, syscalls, policy }: LearnResult = await Effect.runPromise(Effect.provide(learnEffect(runEffect, ["ls", "/"]), layer))
 * exit.exitCode // 0
 * syscalls[0]?.name // the most frequent, e.g. "read"
 * JSON.stringify(toJson(policy)) // the policy file
 * ```
 */
export interface LearnResult {
  /** How the command ended, and its output when it was piped. */
  readonly exit: RunResult
  /** Every syscall seen, most frequent first. */
  readonly syscalls: ReadonlyArray<LearnedSyscall>
  /** The allowlist: the syscalls seen plus `launcherSyscalls`, default errno. */
  readonly policy: Policy
}

/**
 * The runner learn mode drives: an adapter's `runEffect`.
 *
 * @example
 * ```ts
 * import { runEffect, type Services } from "kakoi"
 * import type { LearnRunner } from "kakoi/seccomp"
 *
 * const runner: LearnRunner<Services, unknown> = runEffect
 * ```
 */
export type LearnRunner<R, X> = RunEffect<R, X>

/**
 * The least-privilege policy for `syscalls`, as JSON: allow them and
 * `launcherSyscalls`, fail the rest with `errno`.
 *
 * @example
 * ```ts
 * allowlist(["read", "write", "exit_group"], "EPERM")
 * // { default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["execve", "exit_group", "read", "write"] }] }
 * ```
 */
export const allowlist = (syscalls: Iterable<string>, errno: ErrnoName | number = "EPERM"): PolicyJson => ({
  default: { errno },
  rules: [{ action: "allow", syscalls: [...new Set([...syscalls, ...launcherSyscalls])].sort() }]
})

/**
 * Run `argv` (and its children) with every syscall notified and continued,
 * and learn a least-privilege policy for it. The command runs as with `run`;
 * a failing exit is data, as there. Fails before anything starts when `errno`
 * is no errno (PolicyError), and like `run` when the command cannot start.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi/node"
 * import { learnEffect, toJson } from "kakoi/seccomp"
 *
 * const { policy } = await Effect.runPromise(Effect.provide(learnEffect(runEffect, ["ls", "/"]), layer))
 * console.log(JSON.stringify(toJson(policy)))
 * ```
 */
export const learnEffect = <R, X = never, P extends Plugin<unknown, R | SeccompLibrary> = never>(
  runEffect: LearnRunner<R | SeccompLibrary, X>,
  argv: ReadonlyArray<string>,
  options: LearnOptions<unknown, R | SeccompLibrary> & { readonly plugins?: ReadonlyArray<P> } = {}
): Effect.Effect<LearnResult, PluginError<P> | PolicyError | NotifyError | SpawnError | X, R | SeccompLibrary> =>
  Effect.gen(function*() {
    const { errno = "EPERM", plugins = [], ...rest } = options
    // A bad errno must not cost a whole run before it is noticed.
    yield* decodePolicy(allowlist([], errno))
    const record = recorder()
    const observe = seccomp({ default: "notify" }, { notify: { handler: record.handler } })
    const exit = yield* runEffect(argv, { ...rest, plugins: [...plugins, observe] })
    const syscalls = record.syscalls()
    const policy = yield* decodePolicy(allowlist(syscalls.map((entry) => entry.name), errno))
    return { exit, syscalls, policy }
  })
