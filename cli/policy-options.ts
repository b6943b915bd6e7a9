/**
 * The seccomp policy of `kakoi run`: a --policy file, then the rules and the
 * default given as options, all checked by the seccomp plugin's own decoder.
 */
import { readFile } from "node:fs/promises"
import { Effect } from "effect"
import { decodePolicy, decodePolicyText, toJson, type ActionInput, type Policy, type PolicyError, type PolicyJson, type RuleJson } from "../plugins/seccomp/mod.ts"
import { UsageError } from "./usage.ts"

/** Options that each add one rule with this action, in the order of the help text. */
export const ruleOptions = ["allow", "kill", "kill-thread", "trap", "log", "notify"] as const

export interface PolicyFlags {
  readonly policy: string | undefined
  readonly default: string | undefined
  readonly errno: ReadonlyArray<string>
  readonly rules: ReadonlyArray<{ readonly action: (typeof ruleOptions)[number]; readonly syscalls: string }>
}

const syscallList = (text: string, option: string): Array<string> => {
  const names = text.split(",").map((name) => name.trim())
  if (names.some((name) => name === "")) throw new UsageError("run", `--${option} takes SYSCALL[,SYSCALL...], got "${text}"`)
  return names
}

/** "errno:EPERM" and "trace:7" for the actions that carry a value; plain names otherwise. */
export const parseAction = (text: string): ActionInput => {
  const [kind, value] = text.split(":", 2)
  if (value === undefined) return text as ActionInput
  if (kind === "errno") return { errno: /^\d+$/.test(value) ? Number(value) : (value as never) }
  if (kind === "trace" && /^\d+$/.test(value)) return { trace: Number(value) }
  throw new UsageError("run", `--default takes an action such as "allow", "kill" or "errno:EPERM", got "${text}"`)
}

const errnoRule = (text: string): RuleJson => {
  const colon = text.indexOf(":")
  if (colon <= 0) throw new UsageError("run", `--errno takes ERRNO:SYSCALL[,SYSCALL...], got "${text}"`)
  const errno = text.slice(0, colon)
  return { action: "errno", errno: /^\d+$/.test(errno) ? Number(errno) : (errno as never), syscalls: syscallList(text.slice(colon + 1), "errno") }
}

const readPolicyFile = (path: string): Effect.Effect<PolicyJson, PolicyError | UsageError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (error) => new UsageError("run", `Cannot read policy file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }).pipe(Effect.flatMap(decodePolicyText), Effect.map(toJson))

/** The policy the options describe, or undefined when they name none (no seccomp filter then). */
export const policyFromFlags = (flags: PolicyFlags): Effect.Effect<Policy | undefined, PolicyError | UsageError> =>
  Effect.gen(function* () {
    const extra: Array<RuleJson> = [
      ...flags.rules.map(({ action, syscalls }) => ({ action, syscalls: syscallList(syscalls, action) })),
      ...flags.errno.map(errnoRule)
    ]
    if (flags.policy === undefined && flags.default === undefined && extra.length === 0) return undefined
    const base: PolicyJson = flags.policy === undefined ? { default: "allow" } : yield* readPolicyFile(flags.policy)
    return yield* decodePolicy({
      ...base,
      ...(flags.default === undefined ? {} : { default: parseAction(flags.default) }),
      rules: [...(base.rules ?? []), ...extra]
    })
  })
