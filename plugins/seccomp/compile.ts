/**
 * Compiles a `Policy` to a classic BPF program with libseccomp, through the
 * `SeccompLibrary` port: seccomp_init(default), attributes, extra arches, one
 * seccomp_rule_add_array per (rule, syscall), seccomp_export_bpf. This is
 * where syscall and arch names are checked, and where libseccomp's -errno
 * results become `PolicyError`s that point at the rule.
 *
 * Runs in the spawn phase, before any process exists; results are cached per
 * policy (object and canonical text), so a policy compiles once per process.
 */
import { Effect } from "effect"
import { actionValue, describeAction, operatorValue } from "./actions.ts"
import { errnoText } from "../../core/errno.ts"
import { PolicyError } from "./errors.ts"
import type { FilterContext, SeccompLibraryShape } from "./library.ts"
import { SeccompLibrary } from "./library.ts"
import type { Action, Policy } from "./model.ts"
import type { PlannedRule, SkippedRule } from "./plan.ts"
import { plan } from "./plan.ts"
import { canonicalText } from "./serialize.ts"
import { expand } from "./expand.ts"
import type { PolicyWarning } from "./warnings.ts"
import { warnings } from "./warnings.ts"
import { archName, archNames, syscallTable } from "./syscalls.ts"
import { newerSyscall, numberedArches } from "./newer-syscalls.ts"
import { suggest } from "../../core/suggest.ts"
import { errno } from "../../core/arch/generic.ts"

/** enum scmp_filter_attr. */
const attribute = { badArch: 2, noNewPrivs: 3, log: 6, optimize: 8 } as const
const { EEXIST, EACCES, EOPNOTSUPP, EINVAL } = errno
const unknownSyscall = -1
const cacheLimit = 256

/** BPF_MAXINSNS: the kernel refuses a longer filter (EINVAL at install, in the child). */
const maxInstructions = 4096

/**
 * A compiled policy: the BPF program (`struct sock_filter[]`, 8 bytes per
 * instruction), the rules in it with their origin (the policy's own rules,
 * expanded families and groups, the floor, the io_uring rule), the rules
 * libseccomp leaves out, and warnings about what the policy may not mean
 * (a family denied in part, unfiltered ABIs). Shared by every caller that
 * compiled the same policy: do not mutate `bpf`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 *
 * const { bpf, instructions, rules, skipped, warnings } = await Effect.runPromise(Effect.provide(compile(p), layer))
 * rules.map((rule) => rule.origin.kind) // ["floor", "floor", ..., "io_uring", ..., "user"]
 * ```
 */
export interface CompiledFilter {
  readonly bpf: Uint8Array
  readonly instructions: number
  readonly rules: ReadonlyArray<PlannedRule>
  readonly skipped: ReadonlyArray<SkippedRule>
  readonly warnings: ReadonlyArray<PolicyWarning>
}

const failed = (path: string | undefined, call: string, code: number, value?: string): PolicyError => {
  const hint = -code === EOPNOTSUPP
    ? ": this kernel or libseccomp does not support it"
    : -code === EINVAL && path?.startsWith("rules[")
    ? ": check the action and the argument conditions"
    : ""
  return new PolicyError({ reason: "LibseccompFailed", path, value, detail: `${call} returned -${errnoText(-code)}${hint}` })
}

/**
 * Syscall numbers for every name the filter rules use (skipped rules too: a typo is a typo). A
 * name libseccomp does not know fails, unless it came from a family or a systemd group (groups
 * list calls of other architectures and kernels; systemd skips them too) or its rule says
 * `unknownSyscalls: "skip"`: then it is left out of the map (populate adds nothing for it) and,
 * but for group members, listed in `skipped`.
 */
const resolveSyscalls = (library: SeccompLibraryShape, policy: Policy): Effect.Effect<{ readonly numbers: Map<string, number>; readonly unknown: ReadonlyArray<SkippedRule> }, PolicyError> => {
  const native = library.archNative()
  const numbers = new Map<string, number>()
  const unknown: Array<SkippedRule> = []
  const seen = new Set<string>()
  const { entries, never } = expand(policy)
  for (const { syscall: name, path, origin } of [...entries, ...never]) {
    if (numbers.has(name) || seen.has(`${path}|${name}`)) continue
    seen.add(`${path}|${name}`)
    const number = library.syscallResolveName(native, name)
    if (number !== unknownSyscall) {
      numbers.set(name, number)
      continue
    }
    const newer = numberedArches.has(archName(library, native)) ? newerSyscall(name) : undefined
    if (newer !== undefined && policy.arches.length === 0) {
      numbers.set(name, newer)
      continue
    }
    if (origin.kind !== "user" || origin.group !== undefined) continue
    const { rule } = origin
    if (newer !== undefined && !lets(policy.rules[rule]?.action)) {
      // Left out, it would run on the other ABIs under a default that allows it.
      return Effect.fail(new PolicyError({
        reason: "Unsupported",
        path,
        value: name,
        detail: `libseccomp ${versionText(library)} knows "${name}" only by its number, which it cannot carry to the other ABIs in arches (${policy.arches.join(", ")}): drop them from arches, or install a newer libseccomp`
      }))
    }
    if (origin.family !== undefined || policy.rules[rule]?.unknownSyscalls === "skip") {
      const from = origin.family === undefined ? "" : ` (of family:${origin.family})`
      unknown.push({ rule, path, syscall: name, reason: "unknown-syscall", message: `rules[${rule}] is skipped for "${name}"${from}: libseccomp ${versionText(library)} does not know it` })
      continue
    }
    const suggestions = suggest(name, syscallTable(library, native))
    return Effect.fail(new PolicyError({ reason: "UnknownSyscall", path, value: name, suggestions }))
  }
  return Effect.succeed({ numbers, unknown })
}

/** Whether a rule's action lets the call run (leaving such a call out of the filter only narrows it). */
const lets = (action: Action | undefined): boolean => action !== undefined && (action.kind === "allow" || action.kind === "log")

const versionText = (library: SeccompLibraryShape): string => {
  const { major, minor, micro } = library.version()
  return `${major}.${minor}.${micro}`
}

const resolveArches = (library: SeccompLibraryShape, policy: Policy): Effect.Effect<ReadonlyArray<number>, PolicyError> => {
  const tokens: Array<number> = []
  for (const [index, name] of policy.arches.entries()) {
    const token = library.archResolveName(name)
    if (token === 0) {
      return Effect.fail(new PolicyError({ reason: "UnknownArch", path: `arches[${index}]`, value: name, suggestions: suggest(name, archNames) }))
    }
    tokens.push(token)
  }
  return Effect.succeed(tokens)
}

/** Everything between seccomp_init and the export; returns the rules libseccomp refused as same-as-default. */
const populate = (library: SeccompLibraryShape, ctx: FilterContext, policy: Policy, numbers: Map<string, number>, arches: ReadonlyArray<number>): Effect.Effect<ReadonlyArray<SkippedRule>, PolicyError> =>
  Effect.suspend(() => {
    const { noNewPrivs, log, optimize, badArch } = policy.attributes
    const attributes: Array<[keyof typeof attribute, number]> = [["noNewPrivs", noNewPrivs ? 1 : 0]]
    if (log) attributes.push(["log", 1])
    if (optimize === 2) attributes.push(["optimize", 2])
    if (badArch !== undefined) attributes.push(["badArch", actionValue(badArch)])
    for (const [name, value] of attributes) {
      const code = library.attrSet(ctx, attribute[name], value)
      if (code !== 0) return Effect.fail(failed(`attributes.${name}`, "seccomp_attr_set", code))
    }
    for (const [index, token] of arches.entries()) {
      const code = library.archAdd(ctx, token)
      // -EEXIST: already in the filter (the native arch, or listed twice).
      if (code !== 0 && code !== -EEXIST) return Effect.fail(failed(`arches[${index}]`, "seccomp_arch_add", code, policy.arches[index]))
    }
    const refused: Array<SkippedRule> = []
    for (const entry of plan(policy).added) {
      const number = numbers.get(entry.syscall)
      if (number === undefined) continue // an unknown name its rule lets skip (resolveSyscalls)
      const args = entry.args.map((c) => ({ arg: c.index, op: operatorValue(c.op), a: c.op === "masked==" ? c.mask : c.value, b: c.op === "masked==" ? c.value : 0n }))
      const code = library.ruleAdd(ctx, actionValue(entry.action), number, args)
      const { path, rule } = entry
      if (code === 0) continue
      if (code === -EACCES) {
        if (rule !== undefined) refused.push({ rule, path, syscall: entry.syscall, reason: "same-as-default", message: `rules[${rule}] is skipped for "${entry.syscall}": libseccomp refused it as the default action (${describeAction(policy.default)})` })
      } else if (code === -EEXIST) {
        return Effect.fail(new PolicyError({ reason: "ConflictingRule", path: rule === undefined ? path : `rules[${rule}]`, value: entry.syscall, detail: "an earlier rule" }))
      } else return Effect.fail(failed(path, "seccomp_rule_add", code, entry.syscall))
    }
    return Effect.succeed(refused)
  })

const tooLarge = (instructions: number, rules: number, estimate: boolean): PolicyError =>
  new PolicyError({
    reason: "TooLarge",
    path: undefined,
    value: String(instructions),
    detail: `${estimate ? "at least (counted before libseccomp builds it: each rule takes one or more); " : ""}the filter holds ${rules} rules; merge rules with the same action (families and groups help), drop argument ranges on narrow arguments (each splits into up to 32 rules), or try "optimize": 2`
  })

/** Builds a libseccomp context for the policy, hands it to `use`, and always releases it. */
const withFilter = <A>(policy: Policy, use: (library: SeccompLibraryShape, ctx: FilterContext) => A | number, call: string): Effect.Effect<{ readonly result: A; readonly refused: ReadonlyArray<SkippedRule>; readonly numbers: ReadonlyMap<string, number> }, PolicyError, SeccompLibrary> =>
  Effect.gen(function*() {
    const library = yield* SeccompLibrary
    const { numbers, unknown } = yield* resolveSyscalls(library, policy)
    const arches = yield* resolveArches(library, policy)
    // Every filter rule costs at least one instruction (its syscall's jump or a compare): a policy that is
    // surely too long fails here, before libseccomp's rule database (quadratic in rules) works for minutes.
    const { added } = plan(policy)
    if (added.length > maxInstructions) return yield* Effect.fail(tooLarge(added.length, added.length, true))
    return yield* Effect.scoped(Effect.gen(function*() {
      const ctx = yield* Effect.acquireRelease(
        Effect.suspend(() => {
          const ctx = library.init(actionValue(policy.default))
          return ctx === undefined
            ? Effect.fail(new PolicyError({ reason: "LibseccompFailed", path: "default", value: describeAction(policy.default), detail: "seccomp_init returned NULL" }))
            : Effect.succeed(ctx)
        }),
        (ctx) => Effect.sync(() => library.release(ctx))
      )
      const refused = [...unknown, ...yield* populate(library, ctx, policy, numbers, arches)]
      const result = use(library, ctx)
      if (typeof result === "number") return yield* Effect.fail(failed(undefined, call, result))
      return { result, refused, numbers }
    }))
  })

const byPolicy = new WeakMap<Policy, CompiledFilter>()
const byText = new Map<string, CompiledFilter>()

const remember = (policy: Policy, key: string, compiled: CompiledFilter): CompiledFilter => {
  // Another fiber may have compiled the same policy meanwhile: keep the first, so callers share one instance.
  const kept = byText.get(key) ?? compiled
  if (!byText.has(key)) {
    if (byText.size >= cacheLimit) byText.delete(byText.keys().next().value ?? "")
    byText.set(key, kept)
  }
  byPolicy.set(policy, kept)
  return kept
}

/**
 * Compiles a policy to BPF, once: later calls with the same policy (or an
 * equal one) return the same `CompiledFilter`. Fails with a `PolicyError` for
 * unknown syscall or arch names and anything libseccomp refuses. Rules equal to
 * the default action, or shadowed by an unconditional rule, are left out and
 * listed in `skipped`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy({ default: "allow" })), layer))
 * compiled.bpf.length === compiled.instructions * 8 // true: 8 bytes per instruction
 * ```
 */
export const compile = (policy: Policy): Effect.Effect<CompiledFilter, PolicyError, SeccompLibrary> =>
  Effect.suspend(() => {
    const cached = byPolicy.get(policy)
    if (cached !== undefined) return Effect.succeed(cached)
    const key = canonicalText(policy)
    const same = byText.get(key)
    if (same !== undefined) return Effect.succeed(remember(policy, key, same))
    return withFilter(policy, (library, ctx) => library.exportBpf(ctx), "seccomp_export_bpf").pipe(
      Effect.flatMap(({ result: bpf, refused, numbers }) => {
        const instructions = bpf.length / 8
        const { added, skipped } = plan(policy)
        if (instructions > maxInstructions) return Effect.fail(tooLarge(instructions, added.length, false))
        const rules = added.filter((entry) => numbers.has(entry.syscall))
        return Effect.succeed(remember(policy, key, { bpf, instructions, rules, skipped: [...skipped, ...refused], warnings: warnings(policy) }))
      }),
      Effect.withSpan("seccomp.compile")
    )
  })

const pfcCache = new WeakMap<Policy, string>()

/**
 * libseccomp's pseudo-filter-code (PFC) text for a policy: a readable listing
 * of the filter, for `kakoi export --format pfc` and for debugging.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { exportPfc, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.kill("mkdir"), { default: "allow" })
 *
 * const text = await Effect.runPromise(Effect.provide(exportPfc(p), layer))
 * // '#\n# pseudo filter code start\n...if ($syscall == 83)\n    action KILL_PROCESS;...'
 * ```
 */
export const exportPfc = (policy: Policy): Effect.Effect<string, PolicyError, SeccompLibrary> =>
  Effect.suspend(() => {
    const cached = pfcCache.get(policy)
    if (cached !== undefined) return Effect.succeed(cached)
    return withFilter(policy, (library, ctx) => library.exportPfc(ctx), "seccomp_export_pfc").pipe(
      Effect.map(({ result }) => {
        pfcCache.set(policy, result)
        return result
      })
    )
  })
