/**
 * Strict decoding of what users write (run/spawn options, supervision trees,
 * their JSON files) with effect `Schema`: unknown keys are errors, and the
 * first problem comes back as a JSON path (`children[0].stop.signal`) and one
 * sentence, so a typo can never quietly drop a fence. Also the schemas for
 * values JSON has no word for (functions, plugins).
 */
import { Result, Schema, SchemaIssue } from "effect"
import type { Plugin } from "./plugin.ts"
import { isPlainObject, setOwn } from "./plain-object.ts"
import { didYouMean, suggest } from "./suggest.ts"

/**
 * Where the input is wrong and what is wrong there.
 *
 * @example
 * ```ts
 * import type { InputProblem } from "./decode.ts"
 *
 * const problem: InputProblem = { path: "children[0].secomp", detail: 'Unknown key "secomp": did you mean "seccomp"?' }
 * ```
 */
export interface InputProblem {
  /** A JSON path (`children[1].ready.kind`); undefined for the input as a whole. */
  readonly path: string | undefined
  /** One sentence: `Unknown key "secomp": did you mean "seccomp"?`. */
  readonly detail: string
}

/**
 * `["children", 1, "ready"]` as `children[1].ready`; undefined for the root.
 *
 * @example
 * ```ts
 * import { jsonPath } from "./decode.ts"
 *
 * jsonPath(["rules", 1, "args", 0, "op"]) // "rules[1].args[0].op"
 * ```
 */
export const jsonPath = (segments: ReadonlyArray<PropertyKey>): string | undefined =>
  segments.length === 0
    ? undefined
    : segments
      .map((key, index) =>
        // A symbol unquoted: quoted, Symbol(s) would read as the string key "Symbol(s)".
        typeof key === "number" || typeof key === "symbol" || /^\d+$/.test(String(key)) ? `[${String(key)}]`
        // A key that is no identifier ("A=B", "", "my-var") as a quoted index, which says where it starts and ends.
        : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${index === 0 ? "" : "."}${String(key)}`
        : `[${JSON.stringify(String(key))}]`)
      .join("")

/** The keys a struct declares, for the suggestion after an unknown one. */
const declaredKeys = (issue: SchemaIssue.Leaf): ReadonlyArray<string> => {
  const ast = "ast" in issue ? issue.ast : undefined
  return ast?._tag === "Objects" ? ast.propertySignatures.map((signature) => String(signature.name)) : []
}

const format = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => {
    if (issue._tag !== "UnexpectedKey") return SchemaIssue.defaultLeafHook(issue)
    // The formatter adds the key to the path; the message names it too, with the nearest declared keys.
    return "Unknown key"
  }
})

/** Messages quote the bad value; a huge one is cut, so the message stays one readable line. */
const maxDetail = 240

const firstProblem = (error: Schema.SchemaError): InputProblem => {
  const [first] = format(error.issue).issues
  const segments = (first?.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment))
  const path = jsonPath(segments)
  if (first?.message !== "Unknown key") {
    const detail = first?.message ?? "Malformed input"
    return { path, detail: detail.length > maxDetail ? `${detail.slice(0, maxDetail)}…` : detail }
  }
  const key = String(segments.at(-1))
  const known = unexpectedKeyIssue(error.issue)
  return { path, detail: `Unknown key ${JSON.stringify(key)}${didYouMean(suggest(key, known === undefined ? [] : declaredKeys(known)))}` }
}

/** The first UnexpectedKey leaf, whose struct knows the keys that were meant. */
const unexpectedKeyIssue = (issue: SchemaIssue.Issue): SchemaIssue.Leaf | undefined => {
  switch (issue._tag) {
    case "UnexpectedKey":
      return issue
    case "Pointer":
    case "Filter":
    case "Encoding":
      return unexpectedKeyIssue(issue.issue)
    case "Composite":
    case "AnyOf":
      for (const inner of issue.issues) {
        const found = unexpectedKeyIssue(inner)
        if (found !== undefined) return found
      }
      return undefined
    default:
      return undefined
  }
}

/**
 * Struct fields that decode without services, as `strictDecoder` needs them.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import type { DecoderFields } from "./decode.ts"
 *
 * const fields: DecoderFields = { name: Schema.String }
 * ```
 */
export type DecoderFields = { readonly [key: string]: Schema.ConstraintDecoder<unknown> }

/**
 * A strict decoder for `schema`: unknown keys are errors; the failure is the
 * first problem with its JSON path.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { strictDecoder } from "./decode.ts"
 *
 * const decode = strictDecoder(Schema.Struct({ seccomp: Schema.optionalKey(Schema.String) }))
 * decode({ secomp: "p.json" }) // Failure({ path: "secomp", detail: 'Unknown key "secomp": did you mean "seccomp"?' })
 * ```
 */
export const strictDecoder = <S extends Schema.ConstraintDecoder<unknown>>(schema: S): (input: unknown) => Result.Result<S["Type"], InputProblem> => {
  const decode = Schema.decodeUnknownResult(schema, { onExcessProperty: "error", errors: "first", reportInput: true })
  return (input) => Result.mapError(decode(input), firstProblem)
}

/**
 * A value decoded by the schema `pick` chooses for it (undefined: accept it as
 * it is). Where a union could only say that the input is none of its members,
 * this names the mistake inside the member that was meant.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { decodedAs } from "./decode.ts"
 *
 * const NumberOrPoint = decodedAs((input) => (typeof input === "number" ? undefined : Schema.Struct({ x: Schema.Number })))
 * ```
 */
export const decodedAs = (pick: (input: unknown) => Schema.ConstraintDecoder<unknown> | undefined): Schema.ConstraintDecoder<unknown> =>
  Schema.Unknown.check(Schema.makeFilter((input: unknown, _ast, options) => {
    const schema = pick(input)
    if (schema === undefined) return undefined
    const decoded = Schema.decodeUnknownResult(schema, options)(input)
    return Result.isFailure(decoded) ? decoded.failure.issue : undefined
  }))

/**
 * A value that is a function (a readiness check, an observer), as a schema.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { FunctionSchema } from "./decode.ts"
 *
 * Schema.is(FunctionSchema)(() => {}) // true
 * ```
 */
export const FunctionSchema: Schema.declare<(...args: ReadonlyArray<never>) => unknown> = Schema.declare(
  (input: unknown): input is (...args: ReadonlyArray<never>) => unknown => typeof input === "function",
  { expected: "a function" }
)

const hooks = ["spawn", "preExec", "launched", "exec", "exit"] as const

/**
 * Whether `input` is what `PluginSchema` accepts: an object with a `name`
 * whose hooks are functions.
 *
 * @example
 * ```ts
 * import { isPlugin } from "./decode.ts"
 *
 * isPlugin({ name: "noop" }) // true
 * isPlugin({ name: "noop", spawn: "yes" }) // false
 * ```
 */
export const isPlugin = (input: unknown): input is Plugin<unknown, unknown> =>
  typeof input === "object" && input !== null && typeof (input as { readonly name?: unknown }).name === "string" &&
  hooks.every((hook) => {
    const value = (input as Readonly<Record<string, unknown>>)[hook]
    return value === undefined || typeof value === "function"
  })

/**
 * A plugin value: an object with a `name` whose hooks are functions (what
 * `seccomp(p)` and `rlimit(l)` return). Its contents are the plugin's own business.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { PluginSchema } from "./decode.ts"
 *
 * Schema.is(PluginSchema)({ name: "noop" }) // true
 * Schema.is(PluginSchema)("seccomp") // false
 * ```
 */
export const PluginSchema: Schema.declare<Plugin<unknown, unknown>> = Schema.declare(isPlugin, {
  expected: "a plugin such as seccomp(policy) or rlimit(limits)"
})

/** An array read once, index by index (a hole or a Proxy's trap gives what it gave this one time). */
const arrayOnce = (value: ReadonlyArray<unknown>): Array<unknown> => {
  const copy: Array<unknown> = []
  for (let index = 0, length = value.length; index < length; index++) copy.push(value[index])
  return copy
}


/**
 * An object's own fields read once onto a fresh object with `prototype`. A field that is not enumerable stays so
 * in the copy: an env's variables are its enumerable names, as for Object.keys and every runtime's own spawn, so
 * a hidden field must not become one.
 */
const fieldsOnce = (value: Readonly<Record<PropertyKey, unknown>>, prototype: object | null): Record<PropertyKey, unknown> => {
  const copy = Object.create(prototype) as Record<PropertyKey, unknown>
  for (const key of Reflect.ownKeys(value)) {
    const field = value[key]
    if (Object.prototype.propertyIsEnumerable.call(value, key)) setOwn(copy, key, field)
    else Object.defineProperty(copy, key, { value: field, enumerable: false, writable: true, configurable: true })
  }
  return copy
}

/**
 * A runtime's own environment object as the plain object of variables every caller means by `env: process.env`
 * or `env: Deno.env`; undefined for any other object. Node's `process.env` has a prototype of its own (not
 * Object.prototype); `Deno.env`'s fields are its methods (get, set, toObject), not variables.
 */
const runtimeEnvironmentOnce = (value: object): Record<PropertyKey, unknown> | undefined => {
  const { process, Deno } = globalThis as { readonly process?: { readonly env?: object }; readonly Deno?: { readonly env?: { readonly toObject: () => Record<string, string> } } }
  if (value === process?.env) return fieldsOnce(value as Readonly<Record<PropertyKey, unknown>>, Object.prototype)
  if (value === Deno?.env) return Deno.env.toObject()
  return undefined
}

/** A value read once: an array or a plain object (an env, a stop) copied one level, a runtime's environment object as its variables, anything else (a plugin, a function) as it is. */
const valueOnce = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return arrayOnce(value)
  // Before the plain-object copy: Deno.env is a plain object, of its methods.
  const environment = runtimeEnvironmentOnce(value)
  if (environment !== undefined) return environment
  return isPlainObject(value) ? fieldsOnce(value, Object.getPrototypeOf(value) as object | null) : value
}

/**
 * An options object as read once: each own field (string or symbol key,
 * enumerable or not) and each `known` field met through the prototype (a
 * class's getter, as a schema reads it) read one time onto a fresh object,
 * its arrays and plain objects copied a level down. Input is checked and then
 * used: checked here and used there, a getter or a Proxy that answers
 * differently the second time would hand on what was never checked (a list
 * without the plugins). Anything but an object is returned as it is.
 *
 * @example
 * ```ts
 * import { readOnce } from "./decode.ts"
 *
 * let reads = 0
 * const options = readOnce({ get plugins() { return ++reads === 1 ? ["checked"] : [] } }, ["plugins"]) as { readonly plugins: ReadonlyArray<string> }
 * options.plugins // ["checked"], every time
 * ```
 */
export const readOnce = (value: unknown, known: ReadonlyArray<string>, nested: Readonly<Record<string, (value: unknown) => unknown>> = {}): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value
  const prototype: unknown = Object.getPrototypeOf(value)
  const copy: Record<PropertyKey, unknown> = prototype === null ? (Object.create(null) as Record<PropertyKey, unknown>) : {}
  const fields = value as Readonly<Record<PropertyKey, unknown>>
  const take = (key: PropertyKey): void => {
    const field = fields[key]
    // Own entries only: a key such as "__proto__" or "toString" must not find Object.prototype's.
    const inner = typeof key === "string" && Object.hasOwn(nested, key) ? nested[key] : undefined
    setOwn(copy, key, inner === undefined ? valueOnce(field) : inner(field))
  }
  for (const key of Reflect.ownKeys(fields)) take(key)
  for (const key of known) if (!Object.hasOwn(copy, key) && key in fields) take(key)
  return copy
}

