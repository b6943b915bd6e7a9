/**
 * The `seccomp(policy)` plugin: compiles the policy in the spawn phase (so a
 * bad policy fails before any process exists), contributes the launcher steps
 * in preExec, and explains SIGSYS exits. The filter is installed by the
 * launcher right before execve, never with TSYNC (see design.md).
 */
import { Effect, Result } from "effect"
import type { Plugin } from "../../core/plugin.ts"
import type { Observation } from "../../core/spec.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { compile } from "./compile.ts"
import { diagnoseNotifyKill, diagnoseSigsys } from "./diagnosis.ts"
import { PolicyError } from "./errors.ts"
import type { OciProfile } from "./formats/oci-json.ts"
import type { PolicyJson } from "./json.ts"
import { checkLauncher } from "./launcher.ts"
import type { SeccompLibrary } from "./library.ts"
import type { Policy } from "./model.ts"
import type { NotifyError } from "./notify/errors.ts"
import type { Notification, NotifyHandler } from "./notify/handler.ts"
import { superviseChild, type NotifyOptions } from "./notify/hook.ts"
import { notifies } from "./notify/match.ts"
import { policy as makePolicy } from "./policy.ts"

/**
 * Options of the seccomp plugin.
 *
 * @example
 * ```ts
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * // A policy that denies execve on purpose: the launcher could not exec the target, so say it is meant.
 * const p = policy((rule) => rule.errno("EPERM", "execve"), { default: "allow" })
 * const fence = seccomp(p, { checkLauncher: false })
 * ```
 */
export interface SeccompOptions<R = never> {
  /**
   * Refuse policies that deny a plain `execve` (default true): the launcher
   * installs the filter and then execs the target, so such a policy could
   * never start it. Turn off only if you know better (e.g. a tracer allows it).
   */
  readonly checkLauncher?: boolean
  /**
   * Handlers for notify rules, by the key a rule names in `handler` (how JSON
   * policies reach code). DSL rules may carry their handler inline instead:
   * `rule.notify(handler, "getppid")`.
   */
  readonly handlers?: Readonly<Record<string, NotifyHandler<R>>>
  /** The fallback handler, timeout and denial errno for notified calls. */
  readonly notify?: NotifyOptions<R>
}

/** Validates once, when the plugin is made; the spawn hook reports a failure as a typed error. */
const validate = (input: Policy | PolicyJson | OciProfile): Result.Result<Policy, PolicyError> => {
  try {
    return Result.succeed(makePolicy(input))
  } catch (error) {
    return Result.fail(error instanceof PolicyError ? error : new PolicyError({ reason: "InvalidJson", path: undefined, detail: String(error) }))
  }
}

/** The notify options with the spec's observer told of each call too (the supervisor's trapped-syscall events). */
const observed = <R>(options: NotifyOptions<R>, observe: ((observation: Observation) => void) | undefined): NotifyOptions<R> =>
  observe === undefined
    ? options
    : {
      ...options,
      onNotification: (call) => {
        observe({ kind: "trapped-syscall", pid: call.pid, syscall: call.name, number: call.syscall })
        options.onNotification?.(call)
      }
    }

/**
 * Runs children under a seccomp policy (from `policy()`, JSON, or a Docker/OCI profile read for this process's capabilities). The policy
 * is validated when the plugin is made and compiled once, at the first spawn
 * (later spawns reuse the BPF); errors (an unknown
 * syscall, a policy that blocks execve) fail the spawn with a `PolicyError`.
 * Steps: `no-new-privs` when the policy's `noNewPrivs` attribute is on (the
 * default), then `seccomp` with the BPF. Default-deny policies must allow
 * `launcherSyscalls`.
 *
 * @example
 * ```ts
 * import { run } from "kakoi/node"
 * import { policy, seccomp } from "kakoi/seccomp"
 *
 * const fence = seccomp(policy((rule) => {
 *   rule.errno("EPERM", "mkdir", "mkdirat")
 *   rule.kill("ptrace")
 * }, { default: "allow" }))
 * const result = await run(["mkdir", "/tmp/kakoi-example"], { plugins: [fence] })
 * result.exitCode // 1: mkdir said "Operation not permitted"
 * ```
 */
export const seccomp = <R = never>(input: Policy | PolicyJson | OciProfile, options: SeccompOptions<R> = {}): Plugin<PolicyError | NotifyError, SeccompLibrary | R> => {
  const checked = validate(input)
  type Ready = { readonly policy: Policy; readonly steps: ReadonlyArray<PreExecStep> }
  // Worked out at the first spawn and kept: every later spawn (and phase) of this plugin gets the same steps.
  let done: Ready | undefined
  const prepare: Effect.Effect<Ready, PolicyError, SeccompLibrary> = Effect.gen(function*() {
    const policy = yield* Effect.fromResult(checked)
    const blocked = options.checkLauncher === false ? undefined : checkLauncher(policy)
    if (blocked !== undefined) return yield* blocked
    const { bpf } = yield* compile(policy)
    // A policy that can notify gets its listener handed to this process (notify/handshake.ts).
    const seccompStep: PreExecStep = notifies(policy) ? { kind: "seccomp", bpf, listener: true } : { kind: "seccomp", bpf }
    const steps: ReadonlyArray<PreExecStep> = policy.attributes.noNewPrivs ? [{ kind: "no-new-privs" }, seccompStep] : [seccompStep]
    return (done = { policy, steps })
  })
  // Read when a hook is called, not when its Effect runs: after the first spawn, each hook is one `succeed`.
  const ready = (): Effect.Effect<Ready, PolicyError, SeccompLibrary> => (done === undefined ? prepare : Effect.succeed(done))
  // Calls whose handler answered `kill`, by the child's spec (one per start; a pid could still be an init's), for its exit diagnosis.
  const killedBy = new WeakMap<object, Notification>()
  const launched: NonNullable<Plugin<PolicyError | NotifyError, SeccompLibrary | R>["launched"]> = (child, spec) =>
    Effect.flatMap(ready(), ({ policy }) =>
      superviseChild(child, policy, options.handlers ?? {}, observed(options.notify ?? {}, spec.observe), (call) => killedBy.set(spec, call)))
  return {
    name: "seccomp",
    spawn: (spec) => (done === undefined ? Effect.as(prepare, spec) : Effect.succeed(spec)),
    preExec: () => (done === undefined ? Effect.map(prepare, ({ steps }) => steps) : Effect.succeed(done.steps)),
    // Only a policy that notifies has a listener to take over; without the hook the lifecycle forks no fiber for it.
    // (An invalid policy fails the spawn phase, before any hook.)
    ...(Result.isSuccess(checked) && notifies(checked.success) ? { launched } : {}),
    exit: (exit, spec) => {
      const killed = killedBy.get(spec)
      killedBy.delete(spec)
      if (killed !== undefined && exit.signal === "SIGKILL") return Effect.succeed({ ...exit, diagnosis: diagnoseNotifyKill(killed) })
      if (exit.signal !== "SIGSYS" || exit.diagnosis !== undefined || Result.isFailure(checked)) return Effect.succeed(exit)
      return Effect.succeed({ ...exit, diagnosis: diagnoseSigsys(checked.success) })
    }
  }
}
