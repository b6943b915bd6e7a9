/**
 * Turns a policy whose shape the schema accepted into a validated, frozen
 * `Policy`: action and errno names, argument indexes, operators, 64-bit values,
 * one condition per argument, conflicting rules. Everything here is pure; what
 * needs libseccomp (syscall and arch names) is checked by `compile`.
 *
 * Throws `PolicyError` (callers wrap it: `policy()` rethrows, `decodePolicy` fails).
 */
import { actionNames, isOperator, isSimpleActionKind } from "./actions.ts"
import { errnoNames, errnoNumber } from "../../core/errno.ts"
import { PolicyError } from "./errors.ts"
import { familyMembers, familyNames, familyPrefix } from "./families.ts"
import type { Floor, FloorEntry } from "./floor.ts"
import { floorEntries, fullFloor } from "./floor.ts"
import { groupMembers, groupNames } from "./groups.ts"
import { archNames } from "./syscalls.ts"
import type { RawAction, RawArg, RawPolicy, RawRule } from "./json.ts"
import type { Action, ArgCondition, ArgIndex, Attributes, Policy, Rule } from "./model.ts"
import { defaultAttributes } from "./model.ts"
import { findConflict } from "./plan.ts"
import { suggest } from "../../core/suggest.ts"

const u64Limit = 1n << 64n
const i64Min = -(1n << 63n)
/** The kernel caps errno returns at MAX_ERRNO. */
const maxErrno = 4095

const fail = (fields: ConstructorParameters<typeof PolicyError>[0]): never => {
  throw new PolicyError(fields)
}

const parseErrno = (errno: string | number, path: string): number => {
  if (typeof errno === "number") {
    if (Number.isInteger(errno) && errno >= 0 && errno <= maxErrno) return errno
    return fail({ reason: "BadValue", path, value: String(errno), detail: `expected an errno name or a number from 0 to ${maxErrno}` })
  }
  return errnoNumber(errno) ??
    fail({ reason: "UnknownErrno", path, value: errno, suggestions: suggest(errno, errnoNames) })
}

const parseTrace = (value: number, path: string): number =>
  Number.isInteger(value) && value >= 0 && value <= 0xffff
    ? value
    : fail({ reason: "BadValue", path, value: String(value), detail: "expected a trace message from 0 to 65535" })

/**
 * An action from JSON. At rule level `"errno"` and `"trace"` take their value
 * from the rule's sibling `errno`/`trace` key; elsewhere they must be objects.
 */
export const parseAction = (raw: RawAction, path: string, sibling?: Pick<RawRule, "errno" | "trace">): Action => {
  if (typeof raw !== "string") {
    return "errno" in raw
      ? { kind: "errno", errno: parseErrno(raw.errno, `${path}.errno`) }
      : { kind: "trace", value: parseTrace(raw.trace, `${path}.trace`) }
  }
  if (raw === "kill-process") return { kind: "kill" }
  if (isSimpleActionKind(raw)) return { kind: raw }
  const parent = path.replace(/\.action$/, "")
  if (raw === "errno" && sibling?.errno !== undefined) return { kind: "errno", errno: parseErrno(sibling.errno, `${parent}.errno`) }
  if (raw === "trace" && sibling?.trace !== undefined) return { kind: "trace", value: parseTrace(sibling.trace, `${parent}.trace`) }
  if (raw === "errno" || raw === "trace") {
    const example = raw === "errno" ? '"EPERM"' : "1"
    return sibling === undefined
      ? fail({ reason: "InvalidJson", path, detail: `Action "${raw}" needs a value: write {"${raw}": ${example}}` })
      : fail({ reason: "InvalidJson", path: `${parent}.${raw}`, detail: `Action "${raw}" needs a value: add "${raw}": ${example} next to "action"` })
  }
  return fail({ reason: "UnknownAction", path, value: raw, suggestions: suggest(raw, actionNames), detail: `use one of ${actionNames.map((n) => `"${n}"`).join(", ")}` })
}

/**
 * A 64-bit value from a number, a decimal or hex string, or a bigint; wrapped
 * to unsigned because syscall arguments are compared as unsigned 64-bit words.
 */
export const parseValue = (raw: number | string | bigint, path: string): bigint => {
  let value: bigint
  if (typeof raw === "bigint") value = raw
  else if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw)) {
      return fail({ reason: "BadValue", path, value: String(raw), detail: "expected an integer; write values beyond 2^53 as decimal strings" })
    }
    value = BigInt(raw)
  } else if (/^-?(?:\d+|0x[0-9a-f]+)$/i.test(raw.trim())) {
    const text = raw.trim()
    value = text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text)
  } else {
    return fail({ reason: "BadValue", path, value: raw, detail: "expected a decimal or 0x hex integer" })
  }
  if (value < i64Min || value >= u64Limit) {
    return fail({ reason: "BadValue", path, value: String(raw), detail: "out of the 64-bit range" })
  }
  return BigInt.asUintN(64, value)
}

const isArgIndex = (index: number): index is ArgIndex => Number.isInteger(index) && index >= 0 && index <= 5

const parseArg = (raw: RawArg, path: string): ArgCondition => {
  if (!isArgIndex(raw.index)) return fail({ reason: "BadArgIndex", path: `${path}.index`, value: String(raw.index) })
  if (!isOperator(raw.op)) return fail({ reason: "BadOperator", path: `${path}.op`, value: raw.op })
  const value = parseValue(raw.value, `${path}.value`)
  if (raw.width !== undefined && raw.width !== 32 && raw.width !== 64) {
    fail({ reason: "BadWidth", path: `${path}.width`, value: String(raw.width), detail: "use 32 (the kernel reads an int, unsigned int, pid_t...) or 64" })
  }
  const width: { readonly width?: 32 | 64 } = raw.width === 32 || raw.width === 64 ? { width: raw.width } : {}
  if (raw.op === "masked==") {
    if (raw.mask === undefined) return fail({ reason: "InvalidJson", path: `${path}.mask`, detail: `Operator "masked==" needs a "mask"` })
    return { index: raw.index, op: raw.op, mask: parseValue(raw.mask, `${path}.mask`), value, ...width }
  }
  if (raw.mask !== undefined) return fail({ reason: "InvalidJson", path: `${path}.mask`, detail: `A "mask" goes with operator "masked==" only, not ${JSON.stringify(raw.op)}` })
  return { index: raw.index, op: raw.op, value, ...width }
}

const quotedList = (names: ReadonlyArray<string>): string => names.map((name) => `"${name}"`).join(", ")

/**
 * A syscall name, `family:NAME` or `@group`. Names libseccomp does not know are
 * compile's to report (with suggestions); here, what can never be a name: a
 * NUL (libseccomp would read "mkdir\u0000x" as "mkdir"), spaces, punctuation.
 */
const checkName = (name: string, path: string): void => {
  if (name.startsWith(familyPrefix)) {
    const family = name.slice(familyPrefix.length)
    if (familyMembers(family) === undefined) {
      fail({ reason: "UnknownFamily", path, value: name, suggestions: suggest(family, familyNames).map((f) => `${familyPrefix}${f}`), detail: quotedList(familyNames.map((f) => `${familyPrefix}${f}`)) })
    }
  } else if (name.startsWith("@")) {
    if (groupMembers(name) === undefined) fail({ reason: "UnknownGroup", path, value: name, suggestions: suggest(name, groupNames), detail: quotedList(groupNames) })
  } else if (!/^[A-Za-z0-9_]+$/.test(name)) {
    fail({ reason: "BadSyscallName", path, value: name, detail: "syscall names are letters, digits and underscores; a family is written \"family:NAME\", a systemd group \"@NAME\"" })
  }
}

const parseRule = (raw: RawRule, path: string): Rule => {
  const action = parseAction(raw.action, `${path}.action`, raw)
  for (const key of ["errno", "trace"] as const) {
    // An object action carries its own value; a second one next to it would be ambiguous.
    if (raw[key] !== undefined && (action.kind !== key || typeof raw.action !== "string")) {
      fail({ reason: "InvalidJson", path: `${path}.${key}`, detail: `"${key}" goes with action "${key}" only` })
    }
  }
  if (raw.handler !== undefined && action.kind !== "notify") {
    fail({ reason: "InvalidJson", path: `${path}.handler`, detail: `"handler" goes with action "notify" only` })
  }
  if (raw.unknownSyscalls !== undefined && action.kind !== "allow" && action.kind !== "log") {
    // Leaving an unknown name out of a denying rule would let that syscall through.
    fail({ reason: "InvalidJson", path: `${path}.unknownSyscalls`, detail: `"unknownSyscalls": "skip" goes with actions "allow" and "log" only: leaving a name out of a ${action.kind} rule widens the policy` })
  }
  if (raw.syscalls.length === 0) fail({ reason: "EmptyRule", path: `${path}.syscalls` })
  for (const [position, name] of raw.syscalls.entries()) checkName(name, `${path}.syscalls[${position}]`)
  const args = (raw.args ?? []).map((arg, index) => parseArg(arg, `${path}.args[${index}]`))
  const seen = new Map<number, number>()
  for (const [position, condition] of args.entries()) {
    const first = seen.get(condition.index)
    if (first !== undefined) {
      fail({ reason: "DuplicateCondition", path: `${path}.args[${position}]`, value: String(condition.index), detail: `first compared at args[${first}]` })
    }
    seen.set(condition.index, position)
  }
  return {
    action,
    syscalls: [...raw.syscalls],
    args,
    ...(raw.handler === undefined ? {} : { handler: raw.handler }),
    ...(raw.unknownSyscalls === undefined ? {} : { unknownSyscalls: raw.unknownSyscalls }),
    ...(raw.comment === undefined ? {} : { comment: raw.comment })
  }
}

const parseAttributes = (raw: RawPolicy["attributes"]): Attributes => {
  if (raw === undefined) return defaultAttributes
  const optimize = raw.optimize ?? 1
  if (optimize !== 1 && optimize !== 2) {
    fail({ reason: "BadValue", path: "attributes.optimize", value: String(optimize), detail: "expected 1 (priority order) or 2 (binary tree)" })
  }
  const badArch = raw.badArch === undefined ? undefined : parseAction(raw.badArch, "attributes.badArch")
  const acknowledgeUnfilteredAbis = raw.acknowledgeUnfilteredAbis ?? false
  // Calls of another ABI that run pass every rule: a one-word typo must not open that door.
  if ((badArch?.kind === "allow" || badArch?.kind === "log") && !acknowledgeUnfilteredAbis) {
    fail({ reason: "UnacknowledgedBadArch", path: "attributes.badArch", value: badArch.kind })
  }
  return {
    noNewPrivs: raw.noNewPrivs ?? defaultAttributes.noNewPrivs,
    log: raw.log ?? defaultAttributes.log,
    optimize: optimize === 2 ? 2 : 1,
    badArch,
    acknowledgeUnfilteredAbis
  }
}

/** libseccomp reads names as C strings: "x86\u0000junk" would quietly be "x86". Its names are lowercase words. */
const checkArch = (name: string, path: string): string =>
  /^[a-z0-9_]+$/.test(name) ? name : fail({ reason: "UnknownArch", path, value: name, suggestions: suggest(name, archNames) })

const parseFloor = (raw: RawPolicy["floor"]): Floor => {
  if (raw === undefined || raw === true) return fullFloor
  if (raw === false) return Object.fromEntries(floorEntries.map((entry) => [entry, false])) as Record<FloorEntry, boolean>
  return Object.fromEntries(floorEntries.map((entry) => [entry, raw[entry] ?? true])) as Record<FloorEntry, boolean>
}

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/** Validates a schema-checked policy; throws `PolicyError` on the first problem. */
export const validate = (raw: RawPolicy): Policy => {
  const result: Policy = {
    default: parseAction(raw.default, "default"),
    rules: (raw.rules ?? []).map((rule, index) => parseRule(rule, `rules[${index}]`)),
    attributes: parseAttributes(raw.attributes),
    arches: (raw.arches ?? []).map((name, index) => checkArch(name, `arches[${index}]`)),
    floor: parseFloor(raw.floor)
  }
  const conflict = findConflict(result)
  if (conflict !== undefined) throw conflict
  return deepFreeze(result)
}
