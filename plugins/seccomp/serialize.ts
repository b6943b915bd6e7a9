/**
 * A `Policy` back to the JSON format (`kakoi export --format json`), and the
 * canonical text that keys the compile cache. Values that fit a JSON number
 * exactly stay numbers; larger ones become decimal strings, so the output
 * decodes to the same policy.
 */
import { errnoName } from "../../core/errno.ts"
import type { Floor } from "./floor.ts"
import { floorEntries } from "./floor.ts"
import type { ArgJson, FloorJson, PolicyJson, RuleJson } from "./json.ts"
import type { Action, ActionInput, ArgCondition, Policy, Rule } from "./model.ts"

const jsonValue = (value: bigint): number | string =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()

const actionJson = (action: Action): ActionInput => {
  switch (action.kind) {
    case "errno":
      return { errno: errnoName(action.errno) ?? action.errno }
    case "trace":
      return { trace: action.value }
    default:
      return action.kind
  }
}

const argJson = (condition: ArgCondition): ArgJson => {
  const width = condition.width === undefined ? {} : { width: condition.width }
  return condition.op === "masked=="
    ? { index: condition.index, op: condition.op, mask: jsonValue(condition.mask), value: jsonValue(condition.value), ...width }
    : { index: condition.index, op: condition.op, value: jsonValue(condition.value), ...width }
}

/** The floor as written: nothing when whole, `false` when off, else the entries switched off. */
const floorJson = (floor: Floor): { readonly floor?: FloorJson } => {
  const off = floorEntries.filter((entry) => !floor[entry])
  if (off.length === 0) return {}
  if (off.length === floorEntries.length) return { floor: false }
  return { floor: Object.fromEntries(off.map((entry) => [entry, false])) }
}

const ruleJson = (rule: Rule): RuleJson => {
  const { action } = rule
  const head: Pick<RuleJson, "action" | "errno" | "trace"> = action.kind === "errno"
    ? { action: "errno", errno: errnoName(action.errno) ?? action.errno }
    : action.kind === "trace"
    ? { action: "trace", trace: action.value }
    : { action: action.kind }
  return {
    ...head,
    syscalls: [...rule.syscalls],
    ...(rule.args.length === 0 ? {} : { args: rule.args.map(argJson) }),
    ...(rule.handler === undefined ? {} : { handler: rule.handler }),
    ...(rule.unknownSyscalls === undefined ? {} : { unknownSyscalls: rule.unknownSyscalls }),
    ...(rule.comment === undefined ? {} : { comment: rule.comment })
  }
}

/**
 * The JSON form of a policy; `JSON.stringify` it to write a file.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { toJson } from "./serialize.ts"
 *
 * toJson(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" }))
 * // { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }],
 * //   attributes: { noNewPrivs: true, log: false, optimize: 1 } }
 * ```
 */
export const toJson = (policy: Policy): PolicyJson => {
  const { noNewPrivs, log, optimize, badArch, acknowledgeUnfilteredAbis } = policy.attributes
  return {
    default: actionJson(policy.default),
    rules: policy.rules.map(ruleJson),
    attributes: {
      noNewPrivs,
      log,
      optimize,
      ...(badArch === undefined ? {} : { badArch: actionJson(badArch) }),
      ...(acknowledgeUnfilteredAbis ? { acknowledgeUnfilteredAbis } : {})
    },
    ...(policy.arches.length === 0 ? {} : { arches: [...policy.arches] }),
    ...floorJson(policy.floor)
  }
}

/**
 * Text equal for policies that compile to the same filter (comments and handler keys left out).
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { canonicalText } from "./serialize.ts"
 *
 * const a = policy((rule) => rule.kill("mkdir"), { default: "allow" })
 * const b = policy({ default: "allow", rules: [{ action: "kill", syscalls: ["mkdir"], comment: "no new directories" }] })
 * canonicalText(a) === canonicalText(b) // true
 * ```
 */
export const canonicalText = (policy: Policy): string =>
  JSON.stringify(toJson(policy), (key, value: unknown) => (key === "comment" || key === "handler" ? undefined : value))
