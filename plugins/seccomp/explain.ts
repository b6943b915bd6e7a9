/**
 * `explain(policy, { syscall, arch, args })`: what the compiled filter does
 * with one call, and why. The answer is the actual BPF run in the simulator,
 * so it is exact; the reason maps that action back to the rules of the
 * filter for the syscall whose action it is and whose conditions hold for
 * the arguments, with their origin (the policy's rule, a family or systemd
 * group, the floor, the io_uring rule, the Docker/OCI profile entry).
 */
import { Effect } from "effect"
import { describeAction, sameAction } from "./actions.ts"
import { compile } from "./compile.ts"
import { demultiplexed } from "./expand.ts"
import { PolicyError, SyscallError } from "./errors.ts"
import { importOf } from "./formats/imported.ts"
import { SeccompLibrary, type SeccompLibraryShape } from "./library.ts"
import type { Action, ArgCondition, Policy } from "./model.ts"
import { holds } from "./notify/match.ts"
import type { PlannedRule } from "./plan.ts"
import { auditArch, simulator } from "./simulator/mod.ts"
import { archNames, syscallTable } from "./syscalls.ts"
import { suggest } from "../../core/suggest.ts"

/**
 * One call to explain: a syscall by name or number, on an architecture
 * (libseccomp's name; native when omitted), with up to six arguments (0 when missing).
 *
 * @example
 * ```ts
 * import type { ExplainQuery } from "kakoi/seccomp"
 *
 * const query: ExplainQuery = { syscall: "socket", args: [2n, 1n, 0n] }
 * ```
 */
export interface ExplainQuery {
  readonly syscall: string | number
  readonly arch?: string
  readonly args?: ReadonlyArray<bigint | number>
}

/**
 * What decided the call: a rule of the filter (with its origin), the
 * default action, or the bad-architecture action for an ABI the filter does not list.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { explain, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EACCES", "socket"), { default: "allow" })
 * const explanation = await Effect.runPromise(Effect.provide(explain(p, { syscall: "ptrace" }), layer))
 * if (explanation.by.kind === "rule") explanation.by.rule.origin.kind // "floor" (else "user" or "io_uring")
 * ```
 */
export type DecidedBy =
  | { readonly kind: "rule"; readonly rule: PlannedRule }
  | { readonly kind: "default" }
  | { readonly kind: "bad-arch" }

/**
 * The answer: the action the filter returns (from the BPF), what decided it,
 * the other rules for the syscall, and the same as readable lines.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { explain, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EACCES", "socket"), { default: "allow" })
 * const explanation = await Effect.runPromise(Effect.provide(explain(p, { syscall: "socket", args: [2n, 1n, 0n] }), layer))
 * explanation.lines[0] // 'socket(0x2, 0x1, 0x0) on x86_64 (nr 41): errno EACCES'
 * ```
 */
export interface Explanation {
  readonly syscall: string
  readonly number: number
  readonly arch: string
  readonly args: ReadonlyArray<bigint>
  readonly action: Action
  /** The filter's raw 32-bit return value. */
  readonly value: number
  readonly by: DecidedBy
  /** The other rules of the filter for this syscall, which did not decide this call. */
  readonly others: ReadonlyArray<PlannedRule>
  readonly lines: ReadonlyArray<string>
}

const hex = (value: bigint): string => `0x${value.toString(16)}`

const conditionText = (condition: ArgCondition): string =>
  condition.op === "masked=="
    ? `(arg${condition.index} & ${hex(condition.mask)}) == ${hex(condition.value)}`
    : `arg${condition.index} ${condition.op} ${hex(condition.value)}`

/**
 * A filter rule in words: `rules[1] (errno EACCES when arg0 == 0x2)`, with where it comes from.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { describeRule, explain, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EACCES", "socket"), { default: "allow" })
 * const { by } = await Effect.runPromise(Effect.provide(explain(p, { syscall: "ptrace" }), layer))
 * if (by.kind === "rule") describeRule(p, by.rule) // 'the floor (floor.ptrace): errno EPERM; ptrace reaches into another process'
 * ```
 */
export const describeRule = (policy: Policy, rule: PlannedRule, conditions: ReadonlyArray<ArgCondition> = rule.args): string => {
  const when = conditions.length === 0 ? "" : ` when ${conditions.map(conditionText).join(" and ")}`
  const what = `${describeAction(rule.action)}${when}`
  const { origin } = rule
  switch (origin.kind) {
    case "floor": return `the floor (${rule.path}): ${what}; ${origin.reason}`
    case "io_uring": return `the io_uring rule (${rule.path}): ${what}; ${origin.reason}`
    case "user": {
      const via = origin.family !== undefined ? ` through family "${origin.family}"` : origin.group !== undefined ? ` through group "${origin.group}"` : ""
      const comment = policy.rules[origin.rule]?.comment
      const source = importOf(policy)?.sources[origin.rule]
      const from = source !== undefined ? `, the profile's ${source}` : comment !== undefined ? ` ("${comment}")` : ""
      return `rules[${origin.rule}]${via}${from}: ${what}`
    }
  }
}

/**
 * The other rules for the syscall, one line per rule of the policy: a range on a
 * 32-bit argument compiles to many masked compares, which would read as many rules.
 */
const alsoLines = (policy: Policy, name: string, others: ReadonlyArray<PlannedRule>, args: ReadonlyArray<bigint>): Array<string> => {
  const lines: Array<string> = []
  const shown = new Map<string, number>()
  for (const rule of others) {
    const key = rule.origin.kind === "user" ? `rules[${rule.origin.rule}]` : rule.path
    const index = shown.get(key)
    if (index !== undefined) {
      lines[index] = lines[index]?.replace(/ \((\d+) filter rules\)$|$/, (_, count: string | undefined) => ` (${Number(count ?? 1) + 1} filter rules)`) ?? ""
      continue
    }
    shown.set(key, lines.length)
    const hold = rule.args.every((condition) => holds(condition, args)) ? "its conditions hold, but the rule above comes first" : "its conditions do not hold"
    // As written: the compiled compares of a narrowed range say the same less readably.
    const written = rule.origin.kind === "user" ? policy.rules[rule.origin.rule]?.args : undefined
    lines.push(`  also for ${name}: ${describeRule(policy, rule, written)}: ${hold}`)
  }
  return lines
}

const resolve = (library: SeccompLibraryShape, query: ExplainQuery): Effect.Effect<{ readonly token: number; readonly arch: string; readonly number: number; readonly name: string }, SyscallError> => {
  const arch = query.arch ?? archNames.find((name) => library.archResolveName(name) === library.archNative()) ?? "native"
  const token = query.arch === undefined ? library.archNative() : library.archResolveName(query.arch)
  if (token === 0) return Effect.fail(new SyscallError({ reason: "UnknownArch", value: arch, arch, suggestions: suggest(arch, archNames) }))
  if (typeof query.syscall === "number") {
    const name = Number.isInteger(query.syscall) && query.syscall >= 0 ? library.syscallResolveNum(token, query.syscall) : undefined
    if (name === undefined) return Effect.fail(new SyscallError({ reason: "UnknownNumber", value: String(query.syscall), arch, suggestions: [] }))
    return Effect.succeed({ token, arch, number: query.syscall, name })
  }
  const number = library.syscallResolveName(token, query.syscall)
  if (number === -1) return Effect.fail(new SyscallError({ reason: "UnknownSyscall", value: query.syscall, arch, suggestions: suggest(query.syscall, syscallTable(library, token)) }))
  if (number < 0) return Effect.fail(new SyscallError({ reason: "NotOnArch", value: query.syscall, arch, suggestions: [] }))
  return Effect.succeed({ token, arch, number, name: query.syscall })
}

/**
 * Explains what a policy's filter does with one call: compiles the policy
 * (cached), runs the BPF over the call's seccomp_data, and names the rule
 * behind the answer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { explain, policy } from "kakoi/seccomp"
 *
 * const p = policy({ default: "allow", rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }] })
 * const answer = await Effect.runPromise(Effect.provide(explain(p, { syscall: "socket", args: [2n] }), layer))
 * answer.action // { kind: "errno", errno: 13 }
 * answer.lines[1] // '  decided by rules[0]: errno EACCES when (arg0 & 0xffffffff) == 0x2'
 * ```
 */
export const explain = (policy: Policy, query: ExplainQuery): Effect.Effect<Explanation, PolicyError | SyscallError, SeccompLibrary> =>
  Effect.gen(function*() {
    const library = yield* SeccompLibrary
    const { token, arch, number, name } = yield* resolve(library, query)
    const written = query.args ?? []
    const bad = written.findIndex((value) => typeof value === "number" && !Number.isSafeInteger(value))
    if (bad >= 0 || written.length > 6) {
      const detail = bad >= 0 ? "expected an integer (a bigint beyond 2^53)" : "a syscall has at most 6 arguments"
      return yield* new PolicyError({ reason: "BadValue", path: `args[${bad >= 0 ? bad : 6}]`, value: String(written[bad >= 0 ? bad : 6]), detail })
    }
    const args = written.map((value) => BigInt.asUintN(64, BigInt(value)))
    const compiled = yield* compile(policy)
    const verdict = simulator(compiled.bpf).run({ nr: number, arch: auditArch(token), args })
    const listed = token === library.archNative() || policy.arches.some((extra) => library.archResolveName(extra) === token)
    // i386's socketcall(SYS_SOCKET, ...) is decided by the rules for socket, which libseccomp rewrote for it.
    const made = listed ? demultiplexed(name, args[0] ?? 0n) : undefined
    const candidates = compiled.rules.filter((rule) => rule.syscall === name || (made !== undefined && rule.syscall === made && rule.args.length === 0))
    const decider = candidates.find((rule) => sameAction(rule.action, verdict.action) && rule.args.every((condition) => holds(condition, args))) ??
      // Not the default's action either: a rule with it decided, on bits the 64-bit reading above does not see.
      (sameAction(verdict.action, policy.default) ? undefined : candidates.find((rule) => sameAction(rule.action, verdict.action)))
    const by: DecidedBy = !listed ? { kind: "bad-arch" } : decider !== undefined ? { kind: "rule", rule: decider } : { kind: "default" }
    // On an ABI the filter does not list, no rule is looked at.
    const others = listed ? candidates.filter((rule) => rule !== decider) : []
    const shownArgs = Array.from({ length: Math.max(args.length, 1) }, (_, index) => hex(args[index] ?? 0n))
    const reason = by.kind === "rule"
      ? `decided by ${describeRule(policy, by.rule)}`
      : by.kind === "bad-arch"
      ? `decided by the bad-architecture action: ${arch} is not among the filter's architectures (add it to "arches")`
      : `decided by the default action (${describeAction(policy.default)}): no rule for "${name}" matches these arguments`
    const lines = [
      `${name}(${shownArgs.join(", ")}) on ${arch} (nr ${number}): ${describeAction(verdict.action)}`,
      `  ${reason}`,
      ...alsoLines(policy, name, others, args),
      // A Docker/OCI profile's entries for this call that were not applied here, and why.
      ...(importOf(policy)?.left ?? [])
        .filter((entry) => entry.syscalls.includes(name) || (!listed && entry.reason.startsWith(`architecture ${arch} `)))
        .map((entry) => `  not applied: the profile's ${entry.path}: ${entry.reason}`)
    ]
    return { syscall: name, number, arch, args, action: verdict.action, value: verdict.value, by, others, lines }
  })
