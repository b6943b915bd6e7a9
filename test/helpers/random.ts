/** A small seeded random number generator for fuzz tests, so every failure is reproducible from its seed. */

/**
 * mulberry32: numbers in [0, 1) from a 32-bit seed.
 *
 * @example
 * ```ts
 * const r = seeded(42)
 * r() // the same number on every run
 * ```
 */
export const seeded = (seed: number): (() => number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
