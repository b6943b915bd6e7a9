/**
 * Reads a Docker / OCI / Podman seccomp profile into kakoi's policy JSON,
 * evaluating what moby evaluates when it loads one: `archMap` (the native
 * architecture's entry and its sub-architectures) or `architectures`;
 * per entry `includes` / `excludes` by capabilities, architecture (Go's
 * name of the native one) and `minKernel`; `defaultErrnoRet`, `errnoRet` and
 * containers/common's `errno` names; `SCMP_ACT_*` and `SCMP_CMP_*`, with
 * `valueTwo` as the value of a masked compare. An entry with two conditions on
 * one argument becomes one rule per condition, as runc adds it. Names
 * libseccomp does not know are left out of allow and log entries (as runc
 * does) and listed by `compile()`'s `skipped`; in a denying entry they fail.
 *
 * Every value is checked, used or not, and errors name the profile's JSON path.
 */
import { Result } from "effect"
import { errnoNames, errnoNumber } from "../../../core/errno.ts"
import { suggest } from "../../../core/suggest.ts"
import { PolicyError, quote } from "../errors.ts"
import type { ActionInput } from "../model.ts"
import type { ArgJson, PolicyJson, RuleJson } from "../json.ts"
import { multiplexed, multiplexingArches } from "../expand.ts"
import { familyPrefix } from "../families.ts"
import { floorRules } from "../floor.ts"
import { capabilityNames } from "./capabilities.ts"
import { kernelVersion, nativeArch, runningKernel, supervisorCapabilities, type KernelVersion } from "./host.ts"
import type { OciArg, OciFilter, OciProfile, OciSyscall } from "./oci-json.ts"
import { decodeOciShape } from "./oci-json.ts"
import { filterArches, goArches, ociActions, ociArches, ociFlags, ociOperators } from "./oci-names.ts"
import { shapeError } from "./schema-error.ts"

/**
 * What a profile's `includes`/`excludes` are evaluated against.
 *
 * @example
 * ```ts
 * import type { OciOptions } from "kakoi/seccomp"
 *
 * const options: OciOptions = { caps: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"], kernel: "6.1" }
 * ```
 */
export interface OciOptions {
  /** Capabilities the child holds (CAP_* names). Default: the supervisor's effective set (CapEff, /proc/self/status). */
  readonly caps?: ReadonlyArray<string>
  /** The kernel `minKernel` compares with (`"6.18"`). Default: the running kernel's release. */
  readonly kernel?: string
  /** The native architecture, by libseccomp's name. Default: this machine's. */
  readonly arch?: string
  /**
   * Whether kakoi's floor holds for the profile's process-access calls (default true).
   * Docker allows `ptrace`, `process_vm_readv`/`writev` and `pidfd_getfd` (by kernel version or
   * CAP_SYS_PTRACE) because the container's PID namespace keeps them inside it; a kakoi child has no
   * such namespace and would reach its unfiltered supervisor, so those names are left out of the
   * profile's allowing entries (listed in `left`) and the floor denies them. `false` lets the profile decide.
   */
  readonly floor?: boolean
}

/**
 * A profile entry (or part of one) that does not apply here, why, and the syscalls it names.
 *
 * @example
 * ```ts
 * import type { LeftOut } from "kakoi/seccomp"
 *
 * const entry: LeftOut = { path: "syscalls[17]", reason: "needs CAP_SYS_ADMIN, which the child does not hold", syscalls: ["bpf", "clone", "mount"] }
 * ```
 */
export interface LeftOut {
  readonly path: string
  readonly reason: string
  readonly syscalls: ReadonlyArray<string>
}

/**
 * A profile read into kakoi's format, with where each rule came from and what was left out.
 *
 * @example
 * ```ts
 * import { importOci } from "kakoi/seccomp"
 *
 * const profile = {
 *   defaultAction: "SCMP_ACT_ERRNO",
 *   syscalls: [
 *     { names: ["read", "write", "execve", "exit_group"], action: "SCMP_ACT_ALLOW" },
 *     { names: ["chown", "fchown"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_CHOWN"] } }
 *   ]
 * }
 * const { json, sources, left } = importOci(profile, { caps: [] })
 * sources // ["syscalls[0]"]: json.rules[0] came from there
 * left[0] // { path: "syscalls[1]", reason: "needs CAP_CHOWN, which the child does not hold", syscalls: ["chown", "fchown"] }
 * ```
 */
export interface OciImport {
  readonly json: PolicyJson
  /** For each rule of `json`, the profile entry it came from (`syscalls[3]`). */
  readonly sources: ReadonlyArray<string>
  /** Profile entries that do not apply here, and why. */
  readonly left: ReadonlyArray<LeftOut>
}

const EPERM = 1
const maxErrno = 4095
const u64Limit = 1n << 64n

const fail = (path: string, detail: string, reason: PolicyError["reason"] = "InvalidJson", value?: string): never => {
  throw new PolicyError({ reason, path, detail, ...(value === undefined ? {} : { value }) })
}

/** `Unknown X "word": did you mean "Y"?` as the detail of an InvalidJson error. */
const unknownWord = (path: string, kind: string, word: string, known: Iterable<string>): never => {
  const [best] = suggest(word, known)
  return fail(path, `Unknown ${kind} ${quote(word)}${best === undefined ? "" : `: did you mean ${JSON.stringify(best)}?`}`)
}

/** Where an entry's action and errno are written: JSON paths of the three keys. */
interface ActionKeys {
  readonly action: string
  readonly ret: string
  readonly name: string
}

const lastKey = (path: string): string => path.slice(path.lastIndexOf(".") + 1)

/** The errno of an entry: `errnoRet`, containers/common's `errno` name (they must agree), else EPERM. */
const errnoOf = (ret: number | null | undefined, name: string | undefined, keys: ActionKeys, limit: number): number => {
  let value: number | undefined
  if (ret !== undefined && ret !== null) {
    if (!Number.isInteger(ret) || ret < 0 || ret > limit) fail(keys.ret, `expected an integer from 0 to ${limit}`, "BadValue", String(ret))
    value = ret
  }
  if (name !== undefined) {
    const named = errnoNumber(name)
    if (named === undefined) {
      throw new PolicyError({ reason: "UnknownErrno", path: keys.name, value: name, suggestions: suggest(name, errnoNames) })
    }
    if (value !== undefined && value !== named) fail(keys.name, `"${name}" is ${named}, but ${lastKey(keys.ret)} says ${value}: make them agree`)
    value = named
  }
  return value ?? EPERM
}

/** An `SCMP_ACT_*` word with its errno, as a rule head (`{ action: "errno", errno: 38 }`). */
const actionOf = (word: string, ret: number | null | undefined, name: string | undefined, keys: ActionKeys): Pick<RuleJson, "action" | "errno" | "trace"> => {
  const action = Object.hasOwn(ociActions, word) ? ociActions[word] : undefined
  if (action === undefined) return unknownWord(keys.action, "action", word, Object.keys(ociActions))
  if (action === "errno") return { action, errno: errnoOf(ret, name, keys, maxErrno) }
  if (action === "trace") return { action, trace: errnoOf(ret, name, keys, 0xffff) }
  if ((ret !== undefined && ret !== null) || name !== undefined) {
    const key = ret !== undefined && ret !== null ? keys.ret : keys.name
    fail(key, `${lastKey(key)} goes with SCMP_ACT_ERRNO and SCMP_ACT_TRACE only, not ${word}`)
  }
  return { action }
}

const asDefault = (head: Pick<RuleJson, "action" | "errno" | "trace">): ActionInput =>
  head.action === "errno" ? { errno: head.errno ?? EPERM } : head.action === "trace" ? { trace: head.trace ?? EPERM } : (head.action as ActionInput)

const u64 = (value: number | bigint, path: string): bigint => {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    fail(path, "not an exact integer (write it within 2^53, or read the file with kakoi's reader, which keeps large numbers exact)", "BadValue", String(value))
  }
  const big = BigInt(value)
  if (big < 0n || big >= u64Limit) fail(path, "expected an unsigned 64-bit integer", "BadValue", String(value))
  return big
}

const conditionOf = (arg: OciArg, path: string): ArgJson => {
  if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
    throw new PolicyError({ reason: "BadArgIndex", path: `${path}.index`, value: String(arg.index) })
  }
  const op = Object.hasOwn(ociOperators, arg.op) ? ociOperators[arg.op] : undefined
  if (op === undefined) return unknownWord(`${path}.op`, "operator", arg.op, Object.keys(ociOperators))
  const value = u64(arg.value, `${path}.value`)
  const two = arg.valueTwo === undefined ? 0n : u64(arg.valueTwo, `${path}.valueTwo`)
  // For SCMP_CMP_MASKED_EQ libseccomp takes (mask, value): `value` masks, `valueTwo` is compared.
  if (op === "masked==") return { index: arg.index, op, mask: value, value: two }
  if (two !== 0n) fail(`${path}.valueTwo`, `valueTwo goes with SCMP_CMP_MASKED_EQ only; ${arg.op} compares with value alone`)
  return { index: arg.index, op, value }
}

const words = (list: ReadonlyArray<string> | null | undefined): ReadonlyArray<string> => list ?? []

interface Host {
  readonly caps: () => ReadonlySet<string>
  readonly kernel: () => KernelVersion
  readonly goArch: string
  readonly arch: string
}

const hostOf = (options: OciOptions): Host => {
  const arch = options.arch ?? nativeArch()
  for (const [index, cap] of (options.caps ?? []).entries()) {
    if (!capabilityNames.includes(cap)) unknownWord(`options.caps[${index}]`, "capability", cap, capabilityNames)
  }
  const kernel = options.kernel === undefined ? undefined : kernelVersion(options.kernel)
  if (options.kernel !== undefined && kernel === undefined) fail("options.kernel", `Invalid kernel version ${JSON.stringify(options.kernel)}: expected major.minor, e.g. "6.1"`)
  // Read only when a profile asks: most never look at capabilities or the kernel.
  let caps: ReadonlySet<string> | undefined
  let running: KernelVersion | undefined = kernel
  return {
    arch,
    goArch: goArches[arch] ?? arch,
    caps: () => (caps ??= new Set(options.caps ?? supervisorCapabilities())),
    kernel: () => (running ??= runningKernel())
  }
}

const atLeast = (kernel: KernelVersion, min: KernelVersion): boolean => kernel.major > min.major || (kernel.major === min.major && kernel.minor >= min.minor)

/** Checks a filter's words; returns why the entry does not apply here (undefined: it applies). */
const evaluateFilter = (filter: OciFilter | null | undefined, path: string, include: boolean, host: Host): string | undefined => {
  if (filter === null || filter === undefined) return undefined
  const caps = words(filter.caps)
  const arches = words(filter.arches)
  caps.forEach((cap, index) => capabilityNames.includes(cap) || unknownWord(`${path}.caps[${index}]`, "capability", cap, capabilityNames))
  arches.forEach((arch, index) => filterArches.includes(arch) || unknownWord(`${path}.arches[${index}]`, "architecture", arch, filterArches))
  const min = filter.minKernel === null || filter.minKernel === undefined ? undefined : kernelVersion(filter.minKernel)
  if (filter.minKernel !== null && filter.minKernel !== undefined && (min === undefined || !/^\d+\.\d+$/.test(filter.minKernel))) {
    fail(`${path}.minKernel`, `Invalid kernel version ${quote(filter.minKernel)}: expected major.minor, e.g. "4.8"`)
  }
  if (include) {
    if (arches.length > 0 && !arches.includes(host.goArch)) return `only on ${arches.join(", ")}, not ${host.goArch}`
    const missing = caps.find((cap) => !host.caps().has(cap))
    if (missing !== undefined) return `needs ${missing}, which the child does not hold`
    if (min !== undefined && !atLeast(host.kernel(), min)) return `needs kernel ${filter.minKernel} or later`
    return undefined
  }
  if (arches.includes(host.goArch)) return `excluded on ${host.goArch}`
  const held = caps.find((cap) => host.caps().has(cap))
  if (held !== undefined) return `excluded because the child holds ${held}`
  if (min !== undefined && atLeast(host.kernel(), min)) return `excluded from kernel ${filter.minKernel} on`
  return undefined
}

/** The floor's calls that reach into other processes (not its ioctl and io_uring entries, which no profile names to lift them). */
const processAccess: ReadonlySet<string> = new Set(floorRules.filter((rule) => rule.entry !== "io_uring" && !rule.syscalls.includes("ioctl")).flatMap((rule) => rule.syscalls))

/** Actions under which a named call runs. */
const runs = (head: Pick<RuleJson, "action">): boolean => head.action === "allow" || head.action === "log" || head.action === "trace" || head.action === "notify"

const rulesOf = (entry: OciSyscall, path: string, floor: boolean, left: Array<LeftOut>): ReadonlyArray<RuleJson> => {
  if (entry.name !== undefined && entry.names !== undefined && entry.names !== null) fail(`${path}.name`, `Use either "name" or "names", not both`)
  const names = entry.name === undefined ? words(entry.names) : [entry.name]
  if (names.length === 0) throw new PolicyError({ reason: "EmptyRule", path: entry.name === undefined ? `${path}.names` : `${path}.name` })
  // kakoi's groups and families are words of its own format: runc hands a profile's names to libseccomp,
  // which knows no "@system-service", so the same file must not grant dozens of calls here.
  const word = names.findIndex((name) => name.startsWith("@") || name.startsWith(familyPrefix))
  if (word >= 0) {
    const at = entry.name === undefined ? `${path}.names[${word}]` : `${path}.name`
    throw new PolicyError({ reason: "BadSyscallName", path: at, value: names[word], detail: "a profile names syscalls only: systemd groups and kakoi families are kakoi's own format's words, which runc and crun would not know" })
  }
  const head = actionOf(entry.action, entry.errnoRet, entry.errno, { action: `${path}.action`, ret: `${path}.errnoRet`, name: `${path}.errno` })
  const guarded = floor && runs(head)
  const kept = guarded ? names.filter((name) => !processAccess.has(name)) : names
  if (kept.length < names.length) {
    for (const [position, name] of names.entries()) {
      if (!processAccess.has(name)) continue
      left.push({ path: `${path}.names[${position}]`, reason: `"${name}" left out: kakoi's floor keeps a child from reaching into other processes, its supervisor included (Docker relies on the container's PID namespace here); pass floor: false to let the profile decide`, syscalls: [name] })
    }
  }
  if (kept.length === 0) return []
  const conditions = (entry.args ?? []).map((arg, index) => conditionOf(arg, `${path}.args[${index}]`))
  const comment = entry.comment === undefined || entry.comment === "" ? path : `${path}: ${entry.comment}`
  const base: RuleJson = {
    ...head,
    syscalls: [...kept],
    ...(head.action === "allow" || head.action === "log" ? { unknownSyscalls: "skip" as const } : {}),
    comment
  }
  const indexes = conditions.map((condition) => condition.index)
  // runc adds an entry with two conditions on one argument as one rule per condition (either may match).
  if (new Set(indexes).size < indexes.length) return conditions.map((condition) => ({ ...base, args: [condition] }))
  return [conditions.length === 0 ? base : { ...base, args: conditions }]
}

/**
 * Docker's profiles put i386 beside x86_64 and condition `socket` on its
 * arguments, which i386 also reaches through `socketcall`, where a filter
 * cannot see them: rather than refuse the profile or let those conditions
 * vanish, an ABI that multiplexes a conditioned call is left out (its calls then
 * meet badArch, a narrowing), and `left` says so. (imported.ts retries the same
 * way should validation still find such a rule.)
 */
const withoutMultiplexing = (arches: ReadonlyArray<string>, rules: ReadonlyArray<RuleJson>, sources: ReadonlyArray<string>, left: Array<LeftOut>): ReadonlyArray<string> => {
  const index = rules.findIndex((rule) => (rule.args ?? []).length > 0 && rule.syscalls.some((name) => multiplexed.has(name)))
  const rule = rules[index]
  if (rule === undefined) return arches
  const syscall = rule.syscalls.find((name) => multiplexed.has(name)) ?? ""
  return arches.filter((arch) => {
    if (!multiplexingArches.has(arch)) return true
    left.push({ path: "archMap", reason: `architecture ${arch} left out: "${syscall}"'s argument conditions (${sources[index] ?? "a rule"}.args) cannot hold through its multiplexer (socketcall or ipc); its calls get the badArch action`, syscalls: [] })
    return false
  })
}

const archesOf = (profile: OciProfile, host: Host): ReadonlyArray<string> => {
  const listed = words(profile.architectures)
  const map = profile.archMap ?? []
  if (listed.length > 0 && map.length > 0) fail("architectures", `Use either "architectures" or "archMap", not both`)
  const name = (word: string, path: string): string => (Object.hasOwn(ociArches, word) ? ociArches[word] : undefined) ?? unknownWord(path, "architecture", word, Object.keys(ociArches))
  const all = listed.length > 0
    ? listed.map((word, index) => name(word, `architectures[${index}]`))
    : map.flatMap((entry, index) => {
      const main = name(entry.architecture, `archMap[${index}].architecture`)
      const subs = words(entry.subArchitectures).map((word, sub) => name(word, `archMap[${index}].subArchitectures[${sub}]`))
      return main === host.arch ? [main, ...subs] : []
    })
  return [...new Set(all)].filter((arch) => arch !== host.arch)
}

const flagsOf = (profile: OciProfile): boolean => {
  let log = false
  for (const [index, flag] of words(profile.flags).entries()) {
    const path = `flags[${index}]`
    if (!ociFlags.includes(flag)) unknownWord(path, "flag", flag, ociFlags)
    if (flag === "SECCOMP_FILTER_FLAG_LOG") log = true
    // Without speculative-store-bypass mitigation the child would be weaker than kakoi's filters leave it.
    if (flag === "SECCOMP_FILTER_FLAG_SPEC_ALLOW") fail(path, "kakoi keeps the kernel's speculation mitigation on for filtered children: remove the flag", "Unsupported", flag)
    // TSYNC and WAIT_KILLABLE_RECV need nothing here: the target is exec'd single-threaded, and kakoi's listener handles restarts.
  }
  return log
}

/**
 * Reads untyped input as a Docker/OCI profile into kakoi's JSON format;
 * throws `PolicyError` at the profile's JSON path.
 *
 * @example
 * ```ts
 * import { importOci, policy } from "kakoi/seccomp"
 *
 * const profile = {
 *   defaultAction: "SCMP_ACT_ERRNO",
 *   syscalls: [
 *     { names: ["read", "write", "execve", "exit_group"], action: "SCMP_ACT_ALLOW" },
 *     { names: ["chown", "fchown"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_CHOWN"] } }
 *   ]
 * }
 * const { json } = importOci(profile, { caps: ["CAP_CHOWN"] })
 * policy(json).rules.length // 2, as policy(profile, { caps: ["CAP_CHOWN"] }) has
 * ```
 */
export const importOci = (input: unknown, options: OciOptions = {}): OciImport => {
  const shape = decodeOciShape(input)
  if (Result.isFailure(shape)) throw shapeError(shape.failure)
  const profile = shape.success
  if (profile.listenerPath !== undefined || profile.listenerMetadata !== undefined) {
    fail(profile.listenerPath !== undefined ? "listenerPath" : "listenerMetadata", "kakoi answers notified calls in its own supervisor: remove it and give handlers to seccomp() (or use kakoi run --notify)", "Unsupported")
  }
  const host = hostOf(options)
  const head = actionOf(profile.defaultAction, profile.defaultErrnoRet, profile.defaultErrno, { action: "defaultAction", ret: "defaultErrnoRet", name: "defaultErrno" })
  const rules: Array<RuleJson> = []
  const sources: Array<string> = []
  const left: Array<LeftOut> = []
  for (const [index, entry] of (profile.syscalls ?? []).entries()) {
    const path = `syscalls[${index}]`
    // Both are checked whatever the first says: a typo in excludes is a typo even where includes already decides.
    const included = evaluateFilter(entry.includes, `${path}.includes`, true, host)
    const excluded = evaluateFilter(entry.excludes, `${path}.excludes`, false, host)
    const reason = included ?? excluded
    const dropped: Array<LeftOut> = []
    const made = rulesOf(entry, path, options.floor !== false, dropped)
    if (reason !== undefined) {
      left.push({ path, reason, syscalls: entry.name === undefined ? words(entry.names) : [entry.name] })
      continue
    }
    left.push(...dropped)
    for (const rule of made) {
      rules.push(rule)
      sources.push(path)
    }
  }
  const arches = withoutMultiplexing(archesOf(profile, host), rules, sources, left)
  const log = flagsOf(profile)
  const json: PolicyJson = {
    default: asDefault(head),
    rules,
    ...(log ? { attributes: { log } } : {}),
    ...(arches.length === 0 ? {} : { arches })
  }
  return { json, sources, left }
}
