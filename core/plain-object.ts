/**
 * What counts as a plain object in kakoi's input handling and in the child
 * program cache: one made by `{}` or `Object.create(null)`, not an array, a
 * class instance or a Proxy of one (those are read another way or refused);
 * and how a key is set on such an object whatever its name.
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

/**
 * Sets `key` on `target` as an own, enumerable field, whatever its name: an
 * assignment to "__proto__" (a key JSON.parse makes, a variable name the
 * environment can hold) would set the object's prototype instead and drop
 * the field.
 *
 * @example
 * ```ts
 * import { setOwn } from "./plain-object.ts"
 *
 * const fields: Record<string, unknown> = {}
 * setOwn(fields, "__proto__", "x")
 * Object.keys(fields) // ["__proto__"]
 * ```
 */
export const setOwn = (target: Record<PropertyKey, unknown>, key: PropertyKey, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
