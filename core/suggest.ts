/**
 * "Did you mean" for names people type: syscalls, errnos, actions, arches.
 * Distance is optimal string alignment (Levenshtein plus adjacent swaps), so
 * the common typo "mkdri" is one edit from "mkdir".
 */

/**
 * Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
 *
 * @example
 * ```ts
 * import { editDistance } from "./suggest.ts"
 *
 * editDistance("mkdri", "mkdir") // 1: one swap
 * editDistance("open", "openat") // 2
 * ```
 */
export const editDistance = (a: string, b: string): number => {
  const rows: Array<Array<number>> = []
  for (let i = 0; i <= a.length; i++) rows.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      const row = rows[i]
      if (row !== undefined) row[j] = best
    }
  }
  return at(a.length, b.length)
}

/** Longer input is not a typo of any known name: answering stays fast whatever the input's size. */
const longestTypo = 64

/**
 * Up to `limit` known names closest to `name`, nearest first. Only names within
 * a third of the typed length (at least one edit) count: beyond that a
 * suggestion is noise. Candidates whose length alone rules them out are never
 * aligned, and names longer than 64 characters get no suggestion, so the cost
 * is bounded (a 100 000-character name answers at once).
 *
 * @example
 * ```ts
 * import { suggest } from "./suggest.ts"
 *
 * suggest("mkdri", ["mkdir", "mkdirat", "rmdir"]) // ["mkdir"]
 * ```
 */
export const suggest = (name: string, known: Iterable<string>, limit = 3): ReadonlyArray<string> => {
  if (name.length > longestTypo) return []
  const lower = name.toLowerCase()
  const budget = Math.max(1, Math.floor(name.length / 3))
  const scored: Array<{ readonly candidate: string; readonly distance: number }> = []
  for (const candidate of new Set(known)) {
    // The length difference is a lower bound of the distance.
    if (candidate === name || Math.abs(candidate.length - name.length) > budget) continue
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance <= budget) scored.push({ candidate, distance })
  }
  scored.sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
  return scored.slice(0, limit).map((entry) => entry.candidate)
}

/**
 * `: did you mean "a", "b" or "c"?`, or nothing when there is no suggestion.
 *
 * @example
 * ```ts
 * import { didYouMean, suggest } from "./suggest.ts"
 *
 * `Unknown syscall "mkdri"${didYouMean(suggest("mkdri", ["mkdir", "rmdir"]))}` // 'Unknown syscall "mkdri": did you mean "mkdir"?'
 * didYouMean([]) // ""
 * ```
 */
export const didYouMean = (suggestions: ReadonlyArray<string>): string => {
  if (suggestions.length === 0) return ""
  const quoted = suggestions.map((name) => JSON.stringify(name))
  const last = quoted.pop()
  return `: did you mean ${quoted.length === 0 ? last : `${quoted.join(", ")} or ${last}`}?`
}
