/**
 * Actions and operators as libseccomp numbers, and as words for messages and
 * JSON. The numbers are the SCMP_ACT_* and enum scmp_compare values of
 * libseccomp 2.5 (seccomp.h); they are part of its ABI.
 */
import { errnoName } from "../../core/errno.ts"
import type { Action, Operator, SimpleActionKind } from "./model.ts"

const simpleValues: Record<SimpleActionKind, number> = {
  allow: 0x7fff0000,
  kill: 0x80000000,
  "kill-thread": 0x00000000,
  trap: 0x00030000,
  log: 0x7ffc0000,
  notify: 0x7fc00000
}

/** Every action name a policy may use, for validation and suggestions. */
export const actionNames: ReadonlyArray<string> = [...Object.keys(simpleValues), "kill-process", "errno", "trace"]

export const isSimpleActionKind = (name: string): name is SimpleActionKind => Object.hasOwn(simpleValues, name)

/**
 * The 32-bit SCMP_ACT_* value libseccomp takes for an action.
 *
 * @example
 * ```ts
 * actionValue({ kind: "errno", errno: 1 }) // 0x00050001
 * ```
 */
export const actionValue = (action: Action): number => {
  switch (action.kind) {
    case "errno":
      return (0x00050000 | (action.errno & 0xffff)) >>> 0
    case "trace":
      return (0x7ff00000 | (action.value & 0xffff)) >>> 0
    default:
      return simpleValues[action.kind]
  }
}

/** Two actions are the same filter action (libseccomp compares the numbers). */
export const sameAction = (a: Action, b: Action): boolean => actionValue(a) === actionValue(b)

/**
 * An action in words: `allow`, `errno EPERM`, `trace 7`.
 *
 * @example
 * ```ts
 * describeAction({ kind: "errno", errno: 13 }) // "errno EACCES"
 * ```
 */
export const describeAction = (action: Action): string => {
  switch (action.kind) {
    case "errno":
      return `errno ${errnoName(action.errno) ?? action.errno}`
    case "trace":
      return `trace ${action.value}`
    default:
      return action.kind
  }
}

/** enum scmp_compare. */
const operatorValues: Record<Operator, number> = { "!=": 1, "<": 2, "<=": 3, "==": 4, ">=": 5, ">": 6, "masked==": 7 }

export const operators: ReadonlyArray<Operator> = ["==", "!=", "<", "<=", ">", ">=", "masked=="]

export const isOperator = (op: string): op is Operator => Object.hasOwn(operatorValues, op)

/** The enum scmp_compare value of an operator. */
export const operatorValue = (op: Operator): number => operatorValues[op]

// The kernel's precedence among the actions of stacked filters (kernel/seccomp.c), strictest last.
const strictOrder: ReadonlyArray<Action["kind"]> = ["allow", "log", "trace", "notify", "errno", "trap", "kill-thread", "kill"]

/**
 * How strict an action is, as the kernel ranks actions when several filters
 * answer one call: allow < log < trace < notify < errno < trap < kill-thread < kill.
 *
 * @example
 * ```ts
 * strictness({ kind: "errno", errno: 1 }) > strictness({ kind: "log" }) // true
 * ```
 */
export const strictness = (action: Action): number => strictOrder.indexOf(action.kind)

/**
 * What an action does to a call: runs it unasked (allow, log), asks a tracer or
 * handler (trace, notify), or refuses it (errno, trap, kill). Two rules whose
 * outcomes differ this way may not leave libseccomp to pick one of them.
 *
 * @example
 * ```ts
 * outcome({ kind: "log" }) // "runs"
 * ```
 */
export const outcome = (action: Action): "runs" | "asks" | "refuses" =>
  action.kind === "allow" || action.kind === "log" ? "runs" : action.kind === "trace" || action.kind === "notify" ? "asks" : "refuses"
