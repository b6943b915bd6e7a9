/**
 * What kakoi's launcher needs from a policy. The child program (machine code,
 * no runtime: core/program) installs the filter as its last step and then
 * only calls `execve` (once per PATH candidate) and, when the policy
 * notifies, one `read` (the listener handshake). A policy that denies execve,
 * or notifies but denies read, can never start its target, so the plugin
 * refuses it.
 */
import { PolicyError } from "./errors.ts"
import type { Policy } from "./model.ts"
import { notifies } from "./notify/match.ts"
import { effectiveAction } from "./plan.ts"

/**
 * Syscalls the child program makes after installing the filter: only execve. Allow them in
 * default-deny policies: `rule.allow(...launcherSyscalls)` or
 * `rule.allowLauncher()` in the DSL, or list them in a JSON rule.
 *
 * @example
 * ```ts
 * import { launcherSyscalls, policy } from "kakoi/seccomp"
 *
 * policy((rule) => rule.allow("read", "write", "exit_group", ...launcherSyscalls), { default: "kill" })
 * ```
 */
export const launcherSyscalls: readonly ["execve"] = ["execve"] as const

/**
 * A `PolicyError` (reason `ExecveBlocked`) when a plain `execve` would not be
 * allowed or logged, so the launcher could not exec the target; undefined
 * otherwise. A conditional allow rule for execve gets the benefit of the doubt.
 *
 * @example
 * ```ts
 * import { checkLauncher, policy } from "kakoi/seccomp"
 *
 * checkLauncher(policy({ default: "kill" }))?.message
 * // 'Policy blocks execve, so the target can never start: allow "execve" (see launcherSyscalls)'
 * ```
 */
export const checkLauncher = (policy: Policy): PolicyError | undefined => {
  // A notified call runs if its handler allows it: the handler has the last word, not this check.
  const runs = (kind: string): boolean => kind === "allow" || kind === "log" || kind === "notify"
  const mayRun = (syscall: string): boolean => {
    const { action, conditional } = effectiveAction(policy, syscall)
    return runs(action.kind) || conditional.some((entry) => runs(entry.action.kind))
  }
  if (!mayRun("execve")) return new PolicyError({ reason: "ExecveBlocked", path: undefined, value: "execve" })
  // With notify rules the launcher also reads once after the install (the listener handshake).
  if (notifies(policy) && !mayRun("read")) return new PolicyError({ reason: "HandshakeBlocked", path: undefined, value: "read" })
  return undefined
}
