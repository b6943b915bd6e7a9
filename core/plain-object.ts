/**
 * What counts as a plain object in kakoi's input handling and in the child
 * program cache: one made by `{}` or `Object.create(null)`, not an array, a
 * class instance or a Proxy of one (those are read another way or refused).
 */

/**
 * Whether `value` is a plain object.
 *
 * @example
 * ```ts
 * import { isPlainObject } from "./plain-object.ts"
 *
 * isPlainObject({ a: 1 }) // true
 * isPlainObject(new Map()) // false
 * ```
 */
export const isPlainObject = (value: unknown): value is Readonly<Record<PropertyKey, unknown>> => {
  if (typeof value !== "object" || value === null) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
