/**
 * `lint(policy)`: what a valid policy may not mean, as findings: compile()'s
 * warnings (a family denied in part, unfiltered ABIs, errno 0, ...) and the
 * rules it leaves out (same as the default, shadowed, never matching) as
 * warnings; names libseccomp does not know and, for a Docker/OCI profile, the
 * entries that do not apply here (capabilities, architecture, kernel) as notes.
 */
import { Effect } from "effect"
import { compile } from "./compile.ts"
import type { PolicyError } from "./errors.ts"
import { importOf } from "./formats/imported.ts"
import type { SeccompLibrary } from "./library.ts"
import type { Policy } from "./model.ts"

/**
 * One finding: a warning (the policy probably does not say what was meant)
 * or a note (how it was read), with the path it is about.
 *
 * @example
 * ```ts
 * import type { LintFinding } from "kakoi/seccomp"
 *
 * const finding: LintFinding = { level: "warning", path: "rules[0]", message: 'rules[0] denies "mkdir" but "mkdirat" ...' }
 * ```
 */
export interface LintFinding {
  readonly level: "warning" | "note"
  readonly path: string | undefined
  readonly message: string
}

/**
 * The findings for a policy, warnings first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { lint, policy } from "kakoi/seccomp"
 *
 * const findings = await Effect.runPromise(Effect.provide(lint(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })), layer))
 * findings[0]?.message // 'rules[0] denies "mkdir" but "mkdirat" of the same family is allowed ...'
 * ```
 */
export const lint = (policy: Policy): Effect.Effect<ReadonlyArray<LintFinding>, PolicyError, SeccompLibrary> =>
  Effect.map(compile(policy), ({ warnings, skipped }) => {
    const imported = importOf(policy)
    // A rule of an imported profile is named by the profile entry it came from too.
    const from = (rule: number): string => {
      const source = imported?.sources[rule]
      return source === undefined ? "" : ` (the profile's ${source})`
    }
    const warned: Array<LintFinding> = [
      ...warnings.map((warning): LintFinding => ({ level: "warning", path: warning.path, message: warning.message })),
      ...skipped.filter((entry) => entry.reason !== "unknown-syscall").map((entry): LintFinding => ({ level: "warning", path: entry.path, message: `${entry.message}${from(entry.rule)}` }))
    ]
    const noted: Array<LintFinding> = [
      ...skipped.filter((entry) => entry.reason === "unknown-syscall").map((entry): LintFinding => ({ level: "note", path: entry.path, message: `${entry.message}${from(entry.rule)}` })),
      ...(imported?.left ?? []).map((entry): LintFinding => ({ level: "note", path: entry.path, message: `${entry.path} is not applied: ${entry.reason}` }))
    ]
    return [...warned, ...noted]
  })
