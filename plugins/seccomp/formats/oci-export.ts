/**
 * A policy as a Docker/OCI seccomp profile (`docker run --security-opt
 * seccomp=FILE`, a Kubernetes `localhostProfile`, Podman, runc, crun): the
 * rules of the compiled filter, so what kakoi adds (families and groups
 * expanded, 32-bit arguments as the masked compares the kernel needs, the
 * floor, the io_uring rule) holds under those runtimes too. What a profile
 * cannot say is listed as `remainder`, never dropped silently.
 */
import { Effect } from "effect"
import { describeAction, sameAction } from "../actions.ts"
import { compile } from "../compile.ts"
import { PolicyError } from "../errors.ts"
import { SeccompLibrary } from "../library.ts"
import type { Action, ArgCondition, Policy } from "../model.ts"
import type { PlannedRule } from "../plan.ts"
import { archName } from "../syscalls.ts"
import type { OciArg, OciProfile, OciSyscall } from "./oci-json.ts"
import { archWords, operatorWords } from "./oci-names.ts"

/**
 * An exported profile, and what it leaves unsaid (each with the policy path and why).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { writeFileSync } from "node:fs"
 * import { layer } from "kakoi/node"
 * import { exportOci, policy, profileText } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 * const { profile, remainder } = await Effect.runPromise(Effect.provide(exportOci(p), layer))
 * writeFileSync("/tmp/profile.json", profileText(profile))
 * remainder[0]?.path // "attributes.noNewPrivs": the container runtime's setting, not the profile's
 * ```
 */
export interface OciExport {
  readonly profile: OciProfile
  readonly remainder: ReadonlyArray<{ readonly path: string; readonly reason: string }>
}

const actionWord = (action: Action): Pick<OciSyscall, "action" | "errnoRet"> => {
  switch (action.kind) {
    case "allow": return { action: "SCMP_ACT_ALLOW" }
    case "kill": return { action: "SCMP_ACT_KILL_PROCESS" }
    case "kill-thread": return { action: "SCMP_ACT_KILL_THREAD" }
    case "trap": return { action: "SCMP_ACT_TRAP" }
    case "log": return { action: "SCMP_ACT_LOG" }
    case "notify": return { action: "SCMP_ACT_NOTIFY" }
    case "errno": return { action: "SCMP_ACT_ERRNO", errnoRet: action.errno }
    case "trace": return { action: "SCMP_ACT_TRACE", errnoRet: action.value }
  }
}

/** A 64-bit value as a JSON number when exact, else as a bigint (JSON writers must keep it exact). */
const jsonValue = (value: bigint): number | bigint => (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value)

const argOf = (condition: ArgCondition): OciArg =>
  condition.op === "masked=="
    ? { index: condition.index, value: jsonValue(condition.mask), valueTwo: jsonValue(condition.value), op: operatorWords[condition.op] }
    : { index: condition.index, value: jsonValue(condition.value), op: operatorWords[condition.op] }

const originText = (rule: PlannedRule): string => {
  const { origin } = rule
  switch (origin.kind) {
    case "user": return `kakoi ${rule.path}${origin.family === undefined ? "" : ` (family ${origin.family})`}${origin.group === undefined ? "" : ` (group ${origin.group})`}`
    case "floor": return `kakoi floor (${rule.path}): ${origin.reason}`
    case "io_uring": return `kakoi io_uring rule: ${origin.reason}`
  }
}

/** Unconditional rules of one action and origin kind share an entry; conditional ones get their own. */
const entriesOf = (rules: ReadonlyArray<PlannedRule>): Array<OciSyscall> => {
  const entries: Array<OciSyscall> = []
  const shared = new Map<string, { names: Array<string>; entry: OciSyscall }>()
  for (const rule of rules) {
    const head = actionWord(rule.action)
    if (rule.args.length > 0) {
      entries.push({ names: [rule.syscall], ...head, args: rule.args.map(argOf), comment: originText(rule) })
      continue
    }
    const key = `${describeAction(rule.action)}|${rule.origin.kind === "user" ? "user" : rule.path}`
    const group = shared.get(key)
    if (group !== undefined) {
      if (!group.names.includes(rule.syscall)) group.names.push(rule.syscall)
      continue
    }
    const names = [rule.syscall]
    const entry: OciSyscall = { names, ...head, comment: rule.origin.kind === "user" ? "kakoi rules" : originText(rule) }
    shared.set(key, { names, entry })
    entries.push(entry)
  }
  return entries
}

/**
 * Exports a policy as a Docker/OCI profile: the compiled filter's rules
 * (what libseccomp gets, in order), the default action, the architectures
 * (native first). `remainder` lists what the profile format cannot carry:
 * `badArch` (runtimes choose their own), `noNewPrivs` (set in the runtime's
 * process config, not the profile), `optimize: 2`, notify handlers (a profile's
 * notify needs a `listenerPath` agent). Fails for an architecture OCI has no name for.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { exportOci, policy } from "kakoi/seccomp"
 *
 * const { profile } = await Effect.runPromise(Effect.provide(exportOci(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })), layer))
 * profile.defaultAction // "SCMP_ACT_ALLOW"
 * ```
 */
export const exportOci = (policy: Policy): Effect.Effect<OciExport, PolicyError, SeccompLibrary> =>
  Effect.gen(function*() {
    const library = yield* SeccompLibrary
    const compiled = yield* compile(policy)
    const arches: Array<string> = []
    for (const [index, arch] of [archName(library, library.archNative()), ...policy.arches].entries()) {
      const word = archWords[arch]
      if (word === undefined) return yield* new PolicyError({ reason: "Unsupported", path: index === 0 ? undefined : `arches[${index - 1}]`, value: arch, detail: "the OCI profile format has no SCMP_ARCH_ name for it" })
      if (!arches.includes(word)) arches.push(word)
    }
    const head = actionWord(policy.default)
    const remainder: Array<{ readonly path: string; readonly reason: string }> = []
    const { badArch, noNewPrivs, optimize, log } = policy.attributes
    if (badArch !== undefined && !sameAction(badArch, { kind: "kill-thread" })) {
      remainder.push({ path: "attributes.badArch", reason: `${describeAction(badArch)} for other ABIs: runtimes set their own bad-architecture action (runc and crun: kill-thread)` })
    }
    if (noNewPrivs) remainder.push({ path: "attributes.noNewPrivs", reason: 'no-new-privs is the runtime\'s process setting, not the profile\'s: docker run --security-opt no-new-privileges, Kubernetes allowPrivilegeEscalation: false, OCI "noNewPrivileges": true' })
    if (optimize === 2) remainder.push({ path: "attributes.optimize", reason: "binary-tree optimisation is libseccomp's and the runtime's choice; the rules are the same" })
    if (compiled.rules.some((rule) => rule.action.kind === "notify") || policy.default.kind === "notify") {
      remainder.push({ path: "rules", reason: "notify rules need a listenerPath agent under OCI runtimes; kakoi's handlers stay with kakoi" })
    }
    const profile: OciProfile = {
      defaultAction: head.action,
      ...(head.errnoRet === undefined ? {} : { defaultErrnoRet: head.errnoRet }),
      architectures: arches,
      ...(log ? { flags: ["SECCOMP_FILTER_FLAG_LOG"] } : {}),
      // A rule with the default's action does nothing (libseccomp refuses it); runtimes need not see it.
      syscalls: entriesOf(compiled.rules.filter((rule) => !sameAction(rule.action, policy.default)))
    }
    return { profile, remainder }
  })

/**
 * A profile as JSON text (two-space indent), 64-bit values beyond 2^53 written
 * as exact JSON numbers (JSON.stringify cannot write a bigint).
 *
 * @example
 * ```ts
 * import { profileText } from "kakoi/seccomp"
 *
 * profileText({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 2n ** 63n, op: "SCMP_CMP_EQ" }] }] })
 * // '{\n  "defaultAction": "SCMP_ACT_ALLOW", ... "value": 9223372036854775808, ...'
 * ```
 */
export const profileText = (profile: OciProfile): string => {
  const marker = "\u0000bigint:"
  const text = JSON.stringify(profile, (_key, value: unknown) => (typeof value === "bigint" ? `${marker}${value}` : value), 2)
  return `${text.replace(/"\\u0000bigint:(\d+)"/g, "$1")}\n`
}
