/**
 * Strict decoding of fence options, as they come from TypeScript, a JSON
 * supervision tree or the CLI: an unknown key, a wrong type or a relative
 * path is an `InvalidOption` FenceError with the JSON path, never ignored (a
 * typo must not turn into a missing fence). The decoders throw; each fence's
 * entry point turns that into a Result.
 */
import { Result } from "effect"
import { didYouMean, suggest } from "../../core/suggest.ts"
import { type Fence, FenceError, invalidOption } from "./errors.ts"

/**
 * Where a value sits in the options, for messages.
 *
 * @example
 * ```ts
 * import type { Place } from "./decode.ts"
 *
 * const place: Place = { fence: "sandbox", path: "filesystem.read[0]" }
 * ```
 */
export interface Place {
  readonly fence: Fence
  readonly path: string
}

/**
 * The place of a key or an index below `place`.
 *
 * @example
 * ```ts
 * import { at } from "./decode.ts"
 *
 * at(at({ fence: "sandbox", path: "" }, "filesystem"), 0).path // "filesystem[0]"
 * ```
 */
export const at = (place: Place, key: string | number): Place => ({
  fence: place.fence,
  path: typeof key === "number" ? `${place.path}[${key}]` : place.path === "" ? key : `${place.path}.${key}`
})

/**
 * Throws the InvalidOption error for `place`.
 *
 * @example
 * ```ts
 * import { reject } from "./decode.ts"
 *
 * const never = () => reject({ fence: "landlock", path: "read" }, "expected a list of paths")
 * ```
 */
export const reject = (place: Place, detail: string, hint = ""): never => {
  throw invalidOption(place.fence, place.path === "" ? "(options)" : place.path, detail, hint)
}

const show = (value: unknown): string =>
  typeof value === "string" ? JSON.stringify(value) : typeof value === "bigint" ? `${value}n` : Array.isArray(value) ? "a list" : value === null ? "null" : typeof value

/**
 * A plain object whose keys are all in `known`; an unknown key is refused with a suggestion.
 *
 * @example
 * ```ts
 * import { record } from "./decode.ts"
 *
 * record({ read: [] }, { fence: "landlock", path: "filesystem" }, ["read", "write"]) // { read: [] }
 * ```
 */
export const record = (value: unknown, place: Place, known: ReadonlyArray<string>): Readonly<Record<string, unknown>> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return reject(place, `expected an object, got ${show(value)}`)
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const hint = didYouMean(suggest(key, known))
      reject(at(place, key), `Unknown option "${key}"${hint}`, hint === "" ? `known options: ${known.map((name) => `"${name}"`).join(", ")}` : "")
    }
  }
  return value as Readonly<Record<string, unknown>>
}

/**
 * A list, each element decoded by `item`.
 *
 * @example
 * ```ts
 * import { list, text } from "./decode.ts"
 *
 * list(["a"], { fence: "sandbox", path: "x" }, text) // ["a"]
 * ```
 */
export const list = <A>(value: unknown, place: Place, item: (value: unknown, place: Place) => A): ReadonlyArray<A> => {
  if (!Array.isArray(value)) return reject(place, `expected a list, got ${show(value)}`)
  return value.map((element, index) => item(element, at(place, index)))
}

/**
 * A non-empty string without NUL (the kernel would cut it there).
 *
 * @example
 * ```ts
 * import { text } from "./decode.ts"
 *
 * text("sandbox", { fence: "sandbox", path: "hostname" }) // "sandbox"
 * ```
 */
export const text = (value: unknown, place: Place): string => {
  if (typeof value !== "string" || value === "") return reject(place, `expected a non-empty string, got ${show(value)}`)
  if (value.includes("\0")) return reject(place, "contains a NUL character")
  return value
}

/**
 * One of `choices`.
 *
 * @example
 * ```ts
 * import { oneOf } from "./decode.ts"
 *
 * oneOf("none", { fence: "network", path: "" }, ["none", "loopback", "host"]) // "none"
 * ```
 */
export const oneOf = <A extends string>(value: unknown, place: Place, choices: ReadonlyArray<A>): A => {
  if (typeof value === "string" && (choices as ReadonlyArray<string>).includes(value)) return value as A
  // A prefix counts too: "net_bind" means "net_bind_service" more surely than any edit distance says.
  const close = typeof value === "string" ? [...suggest(value, choices), ...(value.length >= 3 ? choices.filter((choice) => choice.startsWith(value)) : [])] : []
  const hint = didYouMean([...new Set(close)].slice(0, 3))
  return reject(place, `Unknown value ${show(value)}${hint}`, hint === "" ? `use ${choices.map((choice) => `"${choice}"`).join(", ")}` : "")
}

/**
 * An absolute path, normalised lexically (".", "..", repeated slashes);
 * `~` and `~/...` expand to `home`.
 *
 * @example
 * ```ts
 * import { absolutePath } from "./decode.ts"
 *
 * absolutePath("~/.ssh", { fence: "sandbox", path: "filesystem.hide[0]" }, "/home/ada") // "/home/ada/.ssh"
 * absolutePath("/tmp/job/../x/", { fence: "sandbox", path: "p" }, undefined) // "/tmp/x"
 * ```
 */
export const absolutePath = (value: unknown, place: Place, home: string | undefined): string => {
  const written = text(value, place)
  const expanded = written === "~" || written.startsWith("~/")
    ? home === undefined ? reject(place, `cannot expand "~": the home directory is unknown`, "write the path out") : `${home}${written.slice(1)}`
    : written
  if (!expanded.startsWith("/")) return reject(place, `expected an absolute path, got ${show(written)}`, 'start it with "/" or "~/"')
  const parts: Array<string> = []
  for (const part of expanded.split("/")) {
    if (part === "" || part === ".") continue
    if (part === "..") parts.pop()
    else parts.push(part)
  }
  return `/${parts.join("/")}`
}

/**
 * An integer in [min, max].
 *
 * @example
 * ```ts
 * import { integer } from "./decode.ts"
 *
 * integer(443, { fence: "network", path: "connect[0]" }, 1, 65535) // 443
 * ```
 */
export const integer = (value: unknown, place: Place, min: number, max: number): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    return reject(place, `expected a whole number from ${min} to ${max}, got ${typeof value === "number" ? value : show(value)}`)
  }
  return value
}

/**
 * A boolean.
 *
 * @example
 * ```ts
 * import { flag } from "./decode.ts"
 *
 * flag(true, { fence: "landlock", path: "bestEffort" }) // true
 * ```
 */
export const flag = (value: unknown, place: Place): boolean =>
  typeof value === "boolean" ? value : reject(place, `expected true or false, got ${show(value)}`)

/**
 * Runs a throwing decoder and returns its result or its FenceError.
 *
 * @example
 * ```ts
 * import { decoded, text } from "./decode.ts"
 *
 * decoded(() => text("", { fence: "sandbox", path: "hostname" })) // Failure(FenceError)
 * ```
 */
export const decoded = <A>(decode: () => A): Result.Result<A, FenceError> => {
  try {
    return Result.succeed(decode())
  } catch (error) {
    if (error instanceof FenceError) return Result.fail(error)
    throw error
  }
}
