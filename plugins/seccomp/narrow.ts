/**
 * Comparing what the kernel compares: a condition on an argument the kernel
 * reads as `width` bits (an `int` is 32) must ignore the bits above them,
 * which the caller controls freely. libseccomp 2.5 compares all 64 bits and
 * has no 32-bit operators, but its `masked==` with a mask inside the low bits
 * ignores the rest. So each condition becomes a set of masked comparisons,
 * any of which matching means the condition holds (one filter rule each):
 * - `==` v: `(x & W) == v`
 * - `<` v: for each set bit i of v, "x agrees with v above bit i and has bit i
 *   clear" (x < v exactly when such an i exists); `<=` v is `<` v+1
 * - `>` v: for each clear bit i of v, "agrees above i and has bit i set"; `>=` v is `>` v-1
 * - `!=` v: for each bit i, "bit i differs from v's"
 * Values must fit the width, or be negative (sign-extended: -100 is AT_FDCWD
 * whatever the high half holds); anything else could never match as written,
 * so it is an error rather than a silently dead rule. On a signed argument
 * (a pid_t: kill(-1, ...)) the ordering operators compare signed.
 */
import type { ArgCondition } from "./model.ts"
import type { ArgWidth } from "./widths.ts"

/**
 * What a narrow condition becomes: `always` (it holds for every argument, so
 * it is dropped), the masked comparisons any of which must hold (none: it can
 * never hold), or the part whose value does not fit the width.
 *
 * @example
 * ```ts
 * import { narrow } from "./narrow.ts"
 *
 * narrow({ index: 0, op: "==", value: 2n }, 32) // { kind: "any", conditions: [{ index: 0, op: "masked==", mask: 0xffffffffn, value: 2n }] }
 * ```
 */
export type Narrowed =
  | { readonly kind: "always" }
  | { readonly kind: "any"; readonly conditions: ReadonlyArray<ArgCondition> }
  | { readonly kind: "too-wide" }

const u64 = (1n << 64n) - 1n

/** The value's low `width` bits, when it fits them unsigned or as a sign-extended negative. */
const fit = (value: bigint, width: number): bigint | undefined => {
  const low = (1n << BigInt(width)) - 1n
  if (value <= low) return value
  const negative = u64 ^ ((1n << BigInt(width - 1)) - 1n)
  return (value & negative) === negative ? value & low : undefined
}

/**
 * The masked comparisons equivalent to `condition` on the low `width` bits of
 * its argument (compared as signed numbers when `signed`); a 64-bit condition
 * comes back as it is.
 *
 * @example
 * ```ts
 * import { narrow } from "./narrow.ts"
 *
 * const below6 = narrow({ index: 0, op: "<", value: 6n }, 32)
 * below6.kind === "any" && below6.conditions.length // 2 (bits 2 and 1 of 0b110)
 * narrow({ index: 0, op: "==", value: 0x1_0000_0002n }, 32) // { kind: "too-wide" }
 * narrow({ index: 0, op: "<", value: 0n }, 32, true) // { kind: "any", conditions: [{ index: 0, op: "masked==", mask: 0x80000000n, value: 0x80000000n }] }
 * ```
 */
export const narrow = (condition: ArgCondition, width: ArgWidth, signed = false): Narrowed => {
  const ordering = condition.op === "<" || condition.op === "<=" || condition.op === ">" || condition.op === ">="
  if (signed && ordering && width !== 64) {
    // x <s v exactly when (x ^ sign) <u (v ^ sign): compare with the sign bit flipped, then flip it back in
    // every masked comparison that tests it.
    const sign = 1n << BigInt(width - 1)
    const value = fit(condition.value, width)
    if (value === undefined) return { kind: "too-wide" }
    const flipped = narrow({ index: condition.index, op: condition.op, value: value ^ sign }, width)
    if (flipped.kind !== "any") return flipped
    return { kind: "any", conditions: flipped.conditions.map((c) => (c.op === "masked==" && (c.mask & sign) !== 0n ? { ...c, value: c.value ^ sign } : c)) }
  }
  const { index } = condition
  const plain = { index, op: condition.op, value: condition.value, ...(condition.op === "masked==" ? { mask: condition.mask } : {}) } as ArgCondition
  if (width === 64) return { kind: "any", conditions: [plain] }
  const all = (1n << BigInt(width)) - 1n
  const masked = (mask: bigint, value: bigint): ArgCondition => ({ index, op: "masked==", mask, value })
  const value = fit(condition.value, width)
  if (value === undefined) return { kind: "too-wide" }
  const bits = Array.from({ length: width }, (_, i) => BigInt(i))
  // Bits i..width-1: "agrees with v above bit i" plus bit i itself.
  const from = (i: bigint): bigint => all & ~((1n << i) - 1n)
  const below = (v: bigint): Narrowed =>
    ({ kind: "any", conditions: bits.filter((i) => ((v >> i) & 1n) === 1n).map((i) => masked(from(i), v & from(i + 1n))) })
  const above = (v: bigint): Narrowed =>
    ({ kind: "any", conditions: bits.filter((i) => ((v >> i) & 1n) === 0n).map((i) => masked(from(i), (v & from(i + 1n)) | (1n << i))) })
  switch (condition.op) {
    case "==":
      return { kind: "any", conditions: [masked(all, value)] }
    case "masked==": {
      const mask = condition.mask & all
      if (mask === 0n) return value === 0n ? { kind: "always" } : { kind: "any", conditions: [] }
      // Bits of the value outside the mask can never be equal: the condition never holds.
      return (value & ~mask) === 0n ? { kind: "any", conditions: [masked(mask, value)] } : { kind: "any", conditions: [] }
    }
    case "<":
      return below(value)
    case "<=":
      return value === all ? { kind: "always" } : below(value + 1n)
    case ">":
      return above(value)
    case ">=":
      return value === 0n ? { kind: "always" } : above(value - 1n)
    case "!=":
      return { kind: "any", conditions: bits.map((i) => masked(1n << i, (~value) & (1n << i))) }
  }
}
