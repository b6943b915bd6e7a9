/**
 * Whether two rules for one syscall can both hold for some call. libseccomp
 * does not order overlapping rules by strictness: which one decides depends
 * on the shape of its decision tree. plan.ts refuses such pairs when one
 * lets the call run and the other denies it, so it must know when rules are
 * exclusive. The answer is conservative: "may overlap" unless provably not
 * (two masked/equality tests that disagree on a bit, disjoint ranges, an
 * equality that fails another test).
 */
import type { ArgCondition } from "./model.ts"

const u64 = (1n << 64n) - 1n

/** Whether one condition holds for argument value `x` (64-bit, unsigned). */
const holdsFor = (condition: ArgCondition, x: bigint): boolean => {
  switch (condition.op) {
    case "==": return x === condition.value
    case "!=": return x !== condition.value
    case "<": return x < condition.value
    case "<=": return x <= condition.value
    case ">": return x > condition.value
    case ">=": return x >= condition.value
    case "masked==": return (x & condition.mask) === condition.value
  }
}

/** Whether the conditions on one argument can all hold together. */
const satisfiable = (conditions: ReadonlyArray<ArgCondition>): boolean => {
  let low = 0n
  let high = u64
  const masked: Array<{ readonly mask: bigint; readonly value: bigint }> = []
  for (const condition of conditions) {
    const { op, value } = condition
    if (op === "masked==") {
      if ((value & ~condition.mask) !== 0n) return false
      masked.push({ mask: condition.mask, value })
    } else if (op === "==") {
      masked.push({ mask: u64, value })
      low = value > low ? value : low
      high = value < high ? value : high
    } else if (op === "<") high = value - 1n < high ? value - 1n : high
    else if (op === "<=") high = value < high ? value : high
    else if (op === ">") low = value + 1n > low ? value + 1n : low
    else if (op === ">=") low = value > low ? value : low
  }
  if (low > high) return false
  // Equality tests constrain single bits: they conflict exactly when two of them disagree on a bit both test.
  for (const [i, a] of masked.entries()) {
    for (const b of masked.slice(i + 1)) if (((a.value ^ b.value) & a.mask & b.mask) !== 0n) return false
  }
  // An exact value must pass every other test.
  const exact = conditions.find((condition) => condition.op === "==")
  return exact === undefined || conditions.every((condition) => holdsFor(condition, exact.value))
}

/**
 * Whether some call satisfies both condition sets (each a conjunction, as in
 * a filter rule); true when it cannot be ruled out.
 *
 * @example
 * ```ts
 * mayOverlap([{ index: 0, op: "==", value: 2n }], [{ index: 0, op: "==", value: 1n }]) // false
 * mayOverlap([{ index: 0, op: "==", value: 2n }], [{ index: 1, op: "==", value: 1n }]) // true (socket(2, 1, ...))
 * ```
 */
export const mayOverlap = (a: ReadonlyArray<ArgCondition>, b: ReadonlyArray<ArgCondition>): boolean => {
  const all = [...a, ...b]
  const indexes = new Set(all.map((condition) => condition.index))
  return [...indexes].every((index) => satisfiable(all.filter((condition) => condition.index === index)))
}
