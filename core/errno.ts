/**
 * Linux errno names and messages, so policies can say `errno: "EPERM"`, the
 * launcher's failure reports and libseccomp's -errno results read as words.
 * The numbers are asm-generic's (core/arch/errno.ts), as on x86_64 and
 * aarch64; kakoi's policies use these numbers.
 */
import { errnoAliases as aliases, errnoTable as table } from "./arch/errno.ts"

/**
 * An errno name kakoi knows, e.g. `"EPERM"`.
 *
 * @example
 * ```ts
 * const name: ErrnoName = "EACCES"
 * ```
 */
export type ErrnoName = keyof typeof table | keyof typeof aliases

const byNumber = new Map<number, keyof typeof table>(
  (Object.keys(table) as Array<keyof typeof table>).map((name) => [table[name][0], name])
)

/**
 * Every errno name kakoi knows, aliases included.
 *
 * @example
 * ```ts
 * errnoNames.includes("ENOSYS") // true
 * ```
 */
export const errnoNames: ReadonlyArray<ErrnoName> = [...Object.keys(table), ...Object.keys(aliases)] as Array<ErrnoName>

const canonical = (name: string): keyof typeof table | undefined =>
  Object.hasOwn(table, name)
    ? (name as keyof typeof table)
    : Object.hasOwn(aliases, name) ? aliases[name as keyof typeof aliases] : undefined

/**
 * The number of an errno name, or undefined when the name is unknown.
 *
 * @example
 * ```ts
 * errnoNumber("EPERM") // 1
 * errnoNumber("EWOULDBLOCK") // 11
 * ```
 */
export const errnoNumber = (name: string): number | undefined => {
  const known = canonical(name)
  return known === undefined ? undefined : table[known][0]
}

/**
 * An errno written either way, as a name or a number, as its number; undefined
 * for an unknown name (a caller decides its fallback).
 *
 * @example
 * ```ts
 * errnoValue("EACCES") // 13
 * errnoValue(38) // 38
 * ```
 */
export const errnoValue = (errno: ErrnoName | number): number | undefined =>
  typeof errno === "number" ? errno : errnoNumber(errno)

/**
 * The canonical name of an errno number, or undefined when it has none.
 *
 * @example
 * ```ts
 * errnoName(13) // "EACCES"
 * ```
 */
export const errnoName = (errno: number): ErrnoName | undefined => byNumber.get(errno)

/**
 * What an errno number means, for messages: `"Invalid argument"` for 22.
 *
 * @example
 * ```ts
 * errnoText(22) // "EINVAL (Invalid argument)"
 * ```
 */
export const errnoText = (errno: number): string => {
  const name = byNumber.get(errno)
  return name === undefined ? `errno ${errno}` : `${name} (${table[name][1]})`
}
