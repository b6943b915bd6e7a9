/**
 * Fuzzing the policy readers, seeded and bounded (a few seconds): random
 * policies in kakoi's format and random Docker/OCI profiles, each compiled and
 * checked in the simulator against what its rules say (computed here
 * independently, at sampled calls), then random mutations of those and of the
 * shipped Docker profile, as objects and as JSON text. Every input either
 * compiles to what it says or fails with a typed PolicyError: never another
 * exception, a hang, or a filter that allows what its rules deny.
 */
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer, make } from "../../adapters/node/libseccomp.ts"
import { compile, decodePolicyText, policy, PolicyError, simulator, type Action, type OciProfile } from "../../plugins/seccomp/mod.ts"
import { seeded } from "../helpers/random.ts"

const library = Effect.runSync(make())
const native = library.archNative()
const compileSync = (input: unknown): Uint8Array =>
  Effect.runSync(Effect.provide(compile(policy(input as never, { caps: ["CAP_CHOWN"], kernel: "6.18" })), layer)).bpf

const random = seeded
type Random = () => number
const pick = <A>(r: Random, items: ReadonlyArray<A>): A => items[Math.floor(r() * items.length)] as A
const int = (r: Random, below: number): number => Math.floor(r() * below)

/** Harmless syscalls outside the floor with 32- and 64-bit arguments (no 16-bit mode_t), values below 2^31: both widths agree. */
const pool = ["getpid", "getppid", "uname", "getpriority", "setpriority", "umask", "dup", "dup2", "kill", "getuid", "sched_yield", "alarm", "getcwd", "chdir", "rename", "mkdir", "rmdir", "unlink", "lseek", "personality", "getrusage", "sysinfo", "times", "prctl", "getsid", "setpgid"]
const ops = ["==", "!=", "<", "<=", ">", ">=", "masked=="] as const
type Op = (typeof ops)[number]
interface Cond { readonly index: number; readonly op: Op; readonly value: number; readonly mask?: number }
interface Intended { readonly syscall: string; readonly action: Action; readonly conds: ReadonlyArray<Cond>; readonly anyOf?: boolean }

const holds = (c: Cond, args: ReadonlyArray<number>): boolean => {
  const a = args[c.index] ?? 0
  switch (c.op) {
    case "==": return a === c.value
    case "!=": return a !== c.value
    case "<": return a < c.value
    case "<=": return a <= c.value
    case ">": return a > c.value
    case ">=": return a >= c.value
    case "masked==": return ((a & (c.mask ?? 0)) >>> 0) === c.value
  }
}

/** What the rules say for one call: the rule's action when its conditions hold (one rule per syscall), else the default. */
const intended = (rules: ReadonlyArray<Intended>, fallback: Action, syscall: string, args: ReadonlyArray<number>): Action => {
  const rule = rules.find((entry) => entry.syscall === syscall)
  if (rule === undefined) return fallback
  const matched = rule.conds.length === 0 || (rule.anyOf === true ? rule.conds.some((c) => holds(c, args)) : rule.conds.every((c) => holds(c, args)))
  return matched ? rule.action : fallback
}

const actions: ReadonlyArray<Action> = [
  { kind: "allow" }, { kind: "kill" }, { kind: "kill-thread" }, { kind: "trap" }, { kind: "log" }, { kind: "notify" },
  { kind: "errno", errno: 1 }, { kind: "errno", errno: 13 }, { kind: "errno", errno: 38 }, { kind: "trace", value: 7 }
]
const small = (r: Random): number => pick(r, [0, 1, 2, 3, 5, 8, 100, 0x7fffffff, int(r, 64)])
const condition = (r: Random, index: number): Cond => {
  const op = pick(r, ops)
  if (op === "masked==") {
    const mask = pick(r, [1, 3, 0xf0, 0x7fffffff, int(r, 256)])
    return { index, op, mask, value: (small(r) & mask) >>> 0 }
  }
  return { index, op, value: small(r) }
}

/** Sampled calls: zero args, then each rule's constants and neighbours in each argument. */
const samples = (rules: ReadonlyArray<Intended>, r: Random): ReadonlyArray<ReadonlyArray<number>> => {
  const values = [0, 1, 2, 0x7fffffff, ...rules.flatMap((rule) => rule.conds.flatMap((c) => [c.value, c.value + 1, Math.max(c.value - 1, 0), c.mask ?? 0]))].filter((v) => v <= 0x7fffffff)
  return [[], ...Array.from({ length: 24 }, () => Array.from({ length: 3 }, () => pick(r, values)))]
}

const checkAgainstSimulator = (bpf: Uint8Array, rules: ReadonlyArray<Intended>, fallback: Action, r: Random): void => {
  const filter = simulator(bpf)
  for (const syscall of pool) {
    const nr = library.syscallResolveName(native, syscall)
    for (const args of samples(rules, r)) {
      const got = filter.run({ nr, arch: native, args: args.map(BigInt) }).action
      expect(got, `${syscall}(${args.join(", ")})`).toEqual(intended(rules, fallback, syscall, args))
    }
  }
}

const kakoiAction = (action: Action): unknown =>
  action.kind === "errno" ? { errno: action.errno } : action.kind === "trace" ? { trace: action.value } : action.kind

const ociAction = (action: Action, r: Random): { readonly action: string; readonly errnoRet?: number } => {
  switch (action.kind) {
    case "allow": return { action: "SCMP_ACT_ALLOW" }
    case "kill": return { action: "SCMP_ACT_KILL_PROCESS" }
    case "kill-thread": return { action: pick(r, ["SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"]) }
    case "trap": return { action: "SCMP_ACT_TRAP" }
    case "log": return { action: "SCMP_ACT_LOG" }
    case "notify": return { action: "SCMP_ACT_NOTIFY" }
    case "errno": return { action: "SCMP_ACT_ERRNO", errnoRet: action.errno }
    case "trace": return { action: "SCMP_ACT_TRACE", errnoRet: action.value }
  }
}
const ociOps: Readonly<Record<Op, string>> = { "==": "SCMP_CMP_EQ", "!=": "SCMP_CMP_NE", "<": "SCMP_CMP_LT", "<=": "SCMP_CMP_LE", ">": "SCMP_CMP_GT", ">=": "SCMP_CMP_GE", "masked==": "SCMP_CMP_MASKED_EQ" }

/** A random policy in kakoi's format with one rule per syscall, and what it says. */
const kakoiCase = (r: Random): { readonly input: unknown; readonly rules: ReadonlyArray<Intended>; readonly fallback: Action } => {
  const fallback = pick(r, actions)
  const chosen = [...new Set(Array.from({ length: 1 + int(r, 6) }, () => pick(r, pool)))]
  const rules: Array<Intended> = chosen.map((syscall) => {
    const indexes = [...new Set(Array.from({ length: int(r, 3) }, () => int(r, 3)))]
    return { syscall, action: pick(r, actions), conds: indexes.map((index) => condition(r, index)) }
  })
  const input = {
    default: kakoiAction(fallback),
    floor: false,
    rules: rules.map((rule) => ({
      action: kakoiAction(rule.action),
      syscalls: [rule.syscall],
      ...(rule.conds.length === 0 ? {} : { args: rule.conds.map((c) => ({ index: c.index, op: c.op, value: c.value, ...(c.mask === undefined ? {} : { mask: c.mask }) })) })
    }))
  }
  return { input, rules, fallback }
}

/** A random OCI profile, includes/excludes by caps and kernel, and what it says for caps [CAP_CHOWN] on 6.18. */
const ociCase = (r: Random): { readonly input: OciProfile; readonly rules: ReadonlyArray<Intended>; readonly fallback: Action } => {
  const fallback = pick(r, actions.filter((action) => action.kind !== "trace"))
  const chosen = [...new Set(Array.from({ length: 1 + int(r, 6) }, () => pick(r, pool)))]
  const rules: Array<Intended> = []
  const syscalls = chosen.map((name) => {
    const action = pick(r, actions)
    const count = int(r, 3)
    const conds = Array.from({ length: count }, () => condition(r, int(r, 3)))
    const anyOf = new Set(conds.map((c) => c.index)).size < conds.length
    const filter = pick(r, ["none", "has", "lacks", "old", "new", "excluded"] as const)
    const applies = filter === "none" || filter === "has" || filter === "old" || filter === "lacks"
    if (applies) rules.push({ syscall: name, action, conds, anyOf })
    return {
      names: [name],
      ...ociAction(action, r),
      ...(conds.length === 0 ? {} : { args: conds.map((c) => ({ index: c.index, value: c.op === "masked==" ? (c.mask ?? 0) : c.value, ...(c.op === "masked==" ? { valueTwo: c.value } : {}), op: ociOps[c.op] })) }),
      ...(filter === "has" ? { includes: { caps: ["CAP_CHOWN"] } } : {}),
      ...(filter === "lacks" ? { excludes: { caps: ["CAP_SYS_ADMIN"] } } : {}),
      ...(filter === "old" ? { includes: { minKernel: "4.8" } } : {}),
      ...(filter === "new" ? { includes: { minKernel: "7.1" } } : {}),
      ...(filter === "excluded" ? { excludes: { caps: ["CAP_CHOWN"] } } : {})
    }
  })
  const head = ociAction(fallback, r)
  return { input: { defaultAction: head.action, ...(head.errnoRet === undefined ? {} : { defaultErrnoRet: head.errnoRet }), syscalls }, rules, fallback }
}

/** Only PolicyError may escape a reader. */
const typed = (read: () => unknown): "ok" | "error" => {
  try {
    read()
    return "ok"
  } catch (error) {
    if (error instanceof PolicyError) return "error"
    throw error
  }
}

const junk = (r: Random): unknown =>
  pick(r, [
    () => null, () => true, () => -1, () => 2 ** 64, () => 1e300, () => 0.5, () => int(r, 10), () => "", () => "x".repeat(100_000),
    () => "mkdir\u0000x", () => "SCMP_ACT_ALLOW", () => "allow", () => "==", () => [], () => ({}), () => [pick(r, pool)], () => ({ errno: "EPERM" }), () => 2n ** 70n
  ])()

/** Replace, delete or add one node somewhere in a JSON value. */
const mutate = (value: unknown, r: Random): unknown => {
  if (Array.isArray(value)) {
    if (value.length === 0 || r() < 0.15) return [...value, junk(r)]
    const index = int(r, value.length)
    const copy = [...value]
    if (r() < 0.1) copy.splice(index, 1)
    else copy[index] = r() < 0.3 ? junk(r) : mutate(copy[index], r)
    return copy
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
    if (entries.length === 0 || r() < 0.1) return { ...value, [pick(r, ["args", "syscalls", "nmes", "errnoRet", "valueTwo", "mask", "floor", "includes", "x"])]: junk(r) }
    const [key, child] = pick(r, entries)
    if (r() < 0.15) {
      const { [key]: _, ...rest } = value as Record<string, unknown>
      return rest
    }
    return { ...value, [key]: r() < 0.3 ? junk(r) : mutate(child, r) }
  }
  return junk(r)
}

/** JSON text changed at the byte level: a key written twice, a cut, a stray character. */
const mutateText = (text: string, r: Random): string =>
  pick(r, [
    () => text.replace(/"(\w+)":/, (whole) => `${whole} null, ${whole}`),
    () => text.slice(0, int(r, text.length)),
    () => { const at = int(r, text.length); return `${text.slice(0, at)}${pick(r, ["}", "]", ",", "\"", "\u0000", "99999999999999999999999"])}${text.slice(at)}` }
  ])()

const docker = JSON.parse(readFileSync(new URL("../fixtures/profiles/docker-default.json", import.meta.url), "utf8")) as OciProfile

describe("fuzzing the policy readers (seeded)", () => {
  it("random kakoi policies compile to what their rules say", () => {
    const r = random(0x5eed_0001)
    for (let n = 0; n < 120; n++) {
      const { input, rules, fallback } = kakoiCase(r)
      checkAgainstSimulator(compileSync(input), rules, fallback, r)
    }
  })

  it("random OCI profiles compile to what their entries say for the caps and kernel given", () => {
    const r = random(0x5eed_0002)
    for (let n = 0; n < 120; n++) {
      const { input, rules, fallback } = ociCase(r)
      checkAgainstSimulator(compileSync(input), rules, fallback, r)
    }
  })

  it("mutated policies and profiles compile or fail with a PolicyError", () => {
    const r = random(0x5eed_0003)
    const outcomes = { ok: 0, error: 0 }
    for (let n = 0; n < 600; n++) {
      const seed = n % 3 === 0 ? kakoiCase(r).input : n % 3 === 1 ? ociCase(r).input : docker
      let input = seed
      for (let k = 1 + int(r, 3); k > 0; k--) input = mutate(input, r)
      outcomes[typed(() => compileSync(input))]++
    }
    // Both kinds of outcome happen: the mutations reach past the first check.
    expect(outcomes.ok).toBeGreaterThan(30)
    expect(outcomes.error).toBeGreaterThan(30)
  })

  it("mutated JSON text parses and compiles or fails with a PolicyError", () => {
    const r = random(0x5eed_0004)
    for (let n = 0; n < 300; n++) {
      const text = mutateText(JSON.stringify(n % 2 === 0 ? kakoiCase(r).input : ociCase(r).input), r)
      typed(() => Effect.runSync(Effect.provide(Effect.flatMap(decodePolicyText(text, { caps: [], kernel: "6.18" }), compile), layer)))
    }
  })
})
