/**
 * The seccomp policy of `kakoi run`: a --policy file, then the rules and the
 * default given as options, all checked by the seccomp plugin's own decoder.
 */
import { Effect } from "effect"
import { decodePolicy, decodePolicyText, toJson, type ActionInput, type ErrnoName, type OciOptions, type Policy, type PolicyError, type PolicyJson, type RuleJson } from "../plugins/seccomp/mod.ts"
import { inFile } from "./policy-file.ts"
import { UsageError } from "./usage.ts"

/**
 * Options that each add one rule with this action, in the order of the help text.
 *
 * @example
 * ```ts
 * import { ruleOptions } from "./policy-options.ts"
 *
 * ruleOptions.includes("kill-thread") // true: --kill-thread SYSCALL[,SYSCALL...]
 * ```
 */
export const ruleOptions = ["allow", "kill", "kill-thread", "trap", "log", "notify"] as const

/**
 * The policy options of `kakoi run` and `kakoi export`, as parsed.
 *
 * @example
 * ```ts
 * import type { PolicyFlags } from "./policy-options.ts"
 *
 * // kakoi run --default allow --errno EPERM:mkdir,mkdirat --kill ptrace -- CMD
 * const flags: PolicyFlags = { command: "run", policy: undefined, default: "allow", errno: ["EPERM:mkdir,mkdirat"], rules: [{ action: "kill", syscalls: "ptrace" }] }
 * ```
 */
export interface PolicyFlags {
  /** The subcommand whose help the hint of a usage error points to. */
  readonly command: "run" | "export"
  readonly policy: string | undefined
  readonly default: string | undefined
  readonly errno: ReadonlyArray<string>
  readonly rules: ReadonlyArray<{ readonly action: (typeof ruleOptions)[number]; readonly syscalls: string }>
  /** What a Docker/OCI profile's includes/excludes are evaluated against (--caps, --kernel). */
  readonly profile?: OciOptions
}

/** The names of "mkdir,mkdirat" (or "family:mkdir,@mount"); `written` is the whole option value, for the message. */
const syscallList = (list: string, option: string, written: string = list): Array<string> => {
  const names = list.split(",").map((name) => name.trim())
  const syntax = option === "errno" ? "ERRNO:SYSCALL[,SYSCALL...]" : "SYSCALL[,SYSCALL...]"
  if (names.some((name) => name === "")) throw new UsageError("run", `--${option} takes ${syntax}, got "${written}"`)
  return names
}

const defaultSyntax = (text: string): UsageError =>
  new UsageError("run", `--default takes an action such as "allow", "kill" or "errno:EPERM", got "${text}"`)

/**
 * "errno:EPERM" and "trace:7" for the actions that carry a value; plain names otherwise.
 *
 * @example
 * ```ts
 * import { parseAction } from "./policy-options.ts"
 *
 * parseAction("errno:EPERM") // { errno: "EPERM" }
 * parseAction("kill") // "kill"
 * ```
 */
export const parseAction = (text: string): ActionInput => {
  // Split at the first colon only, so "errno:EPERM:x" is rejected rather than read as "errno:EPERM".
  const colon = text.indexOf(":")
  const [kind, value] = colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)]
  // Bare "errno" or "trace" would fail later with advice in JSON syntax, which does not fit a flag.
  if (value === undefined) {
    if (kind === "errno" || kind === "trace") throw defaultSyntax(text)
    return text as ActionInput
  }
  if (kind === "errno" && value !== "") return { errno: errnoFlag(value, "--default", text) }
  if (kind === "trace" && /^\d+$/.test(value)) return { trace: Number(value) }
  throw defaultSyntax(text)
}

/**
 * An errno of a flag: a name, or a number. 0 is refused: the call would "succeed" without
 * running, which no one means by a flag (a JSON policy may still say `{"errno": 0}`, with a warning).
 */
const errnoFlag = (errno: string, option: string, written: string): ErrnoName | number => {
  if (/^\d+$/.test(errno) && Number(errno) === 0) {
    throw new UsageError("run", `${option} "${written}" uses errno 0, which makes a call return 0 (success) without running it: give an errno such as EPERM`)
  }
  return /^\d+$/.test(errno) ? Number(errno) : (errno as ErrnoName)
}

const errnoRule = (text: string): RuleJson => {
  const colon = text.indexOf(":")
  if (colon <= 0) throw new UsageError("run", `--errno takes ERRNO:SYSCALL[,SYSCALL...], got "${text}"`)
  return { action: "errno", errno: errnoFlag(text.slice(0, colon), "--errno", text), syscalls: syscallList(text.slice(colon + 1), "errno", text) }
}

const readPolicyFile = (path: string, command: PolicyFlags["command"], profile: OciOptions | undefined): Effect.Effect<PolicyJson, PolicyError | UsageError> =>
  Effect.tryPromise({
    try: () => process.getBuiltinModule("node:fs/promises").readFile(path, "utf8"),
    catch: (error) => new UsageError(command, `Cannot read policy file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }).pipe(
    Effect.flatMap((text) => Effect.mapError(decodePolicyText(text, profile), (error) => inFile(error, path))),
    Effect.map(toJson)
  )

/**
 * The policy the options describe, or undefined when they name none (no seccomp filter then).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { policyFromFlags } from "./policy-options.ts"
 *
 * const p = await Effect.runPromise(policyFromFlags({ command: "run", policy: undefined, default: "allow", errno: ["EPERM:mkdir,mkdirat"], rules: [{ action: "kill", syscalls: "ptrace" }] }))
 * p?.rules.map((rule) => rule.syscalls) // [["ptrace"], ["mkdir", "mkdirat"]]: the action options' rules, then --errno's
 * ```
 */
export const policyFromFlags = (flags: PolicyFlags): Effect.Effect<Policy | undefined, PolicyError | UsageError> =>
  Effect.gen(function* () {
    const extra: Array<RuleJson> = [
      ...flags.rules.map(({ action, syscalls }) => ({ action, syscalls: syscallList(syscalls, action) })),
      ...flags.errno.map(errnoRule)
    ]
    if (flags.policy === undefined && flags.default === undefined && extra.length === 0) return undefined
    const base: PolicyJson = flags.policy === undefined ? { default: "allow" } : yield* readPolicyFile(flags.policy, flags.command, flags.profile)
    return yield* decodePolicy({
      ...base,
      ...(flags.default === undefined ? {} : { default: parseAction(flags.default) }),
      rules: [...(base.rules ?? []), ...extra]
    }).pipe(
      // The file's default was checked when it was read, so a bad default here is the flag's: a usage mistake.
      Effect.mapError((error) =>
        flags.default !== undefined && (error.path === "default" || error.path?.startsWith("default.") === true)
          ? new UsageError(flags.command, `Invalid --default "${flags.default}": ${error.problem}`)
          : error
      )
    )
  })
