/**
 * The options of one child as an effect `Schema`, decoded strictly before
 * anything starts: the same check for `run`, `spawn` and every worker of a
 * supervision tree, in every runtime. A misspelt key (`plugin` for
 * `plugins`) or a bad value (`stdio: "bogus"`, `parentDeathSignal: "SIGFOO"`)
 * is a typed error naming its path, never a silently missing fence or a crash.
 */
import { Effect, Result, Schema } from "effect"
import { decodedAs, FunctionSchema, isPlugin, PluginSchema, readOnce, strictDecoder, type DecoderFields, type InputProblem } from "./decode.ts"
import { isPlainObject } from "./plain-object.ts"
import { containmentLevels } from "./containment.ts"
import { SpawnError } from "./errors.ts"
import { isSignalName, type SignalName } from "./signals.ts"
import { commandText, type ChildOptions } from "./spec.ts"

/**
 * A signal name (`"SIGTERM"`), as a schema.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { SignalSchema } from "./spec-schema.ts"
 *
 * Schema.is(SignalSchema)("SIGTERM") // true
 * Schema.is(SignalSchema)("SIGFOO") // false
 * ```
 */
export const SignalSchema: Schema.refine<SignalName, Schema.String> = Schema.String.pipe(
  Schema.refine(isSignalName, { expected: 'a signal name such as "SIGTERM"' })
)

const Stdio = Schema.Literals(["pipe", "inherit", "ignore"])

/** A name the target's environment can hold: "A=B" would set A to "B=..." (a variable the caller never named), "" a nameless one. */
const isEnvName = (name: string): boolean => name !== "" && !name.includes("=") && !name.includes("\0")
/** The first name in an environment that is no variable name, reported at that name's path. */
const envNames = Schema.makeFilter((env: Readonly<Record<string, unknown>>) => {
  const bad = Object.keys(env).find((name) => !isEnvName(name))
  return bad === undefined || { path: [bad], issue: `Expected a variable name, not empty and without "=" or a NUL byte, got ${JSON.stringify(bad)}` }
})
/** A NUL byte would cut the value short in the target. */
const isEnvValue = (value: string): boolean => !value.includes("\0")
const EnvValue = Schema.String.check(Schema.makeFilter((value: string) => isEnvValue(value) || "Expected a value without a NUL byte, which would cut it short"))
const EnvRecord = Schema.Record(Schema.String, Schema.UndefinedOr(EnvValue)).check(envNames)
/** "a Map (...)", "an instance of Env": what a non-plain object is, by its prototype's constructor. */
const instanceName = (input: object): string => {
  if (input instanceof Map) return "a Map (for a Map: Object.fromEntries(map))"
  const prototype: unknown = Object.getPrototypeOf(input)
  const constructor: unknown = typeof prototype === "object" && prototype !== null && Object.hasOwn(prototype, "constructor") ? (prototype as { readonly constructor: unknown }).constructor : undefined
  const name = typeof constructor === "function" ? constructor.name : ""
  return name === "" || name === "Object" ? "an object whose prototype is not Object.prototype" : `an instance of ${name}`
}
/** A Map, a Date or a class instance would be read as an object without variables: the target would get an empty environment. */
const NotPlainEnv = Schema.Unknown.check(Schema.makeFilter((input: unknown) => {
  // Its kind, not its contents: an environment holds secrets.
  const kind = Array.isArray(input) ? "an array" : input === null ? "null" : typeof input !== "object" ? typeof input : instanceName(input)
  return `Expected a plain object of variable names to values, got ${kind}`
}))
const Env = decodedAs((input) => (isPlainObject(input) ? EnvRecord : NotPlainEnv))
/** `plugins: seccomp(p)` without brackets: said as such, since the schema's own message printed the plugin's code. */
const LonePlugin = Schema.Unknown.check(Schema.makeFilter((input: unknown) => {
  const { name } = input as { readonly name: string }
  return `Expected an array of plugins, got the plugin ${JSON.stringify(name)} itself: put it in [ ]`
}))
const Plugins = decodedAs((input) => (isPlugin(input) ? LonePlugin : Schema.Array(PluginSchema)))

/**
 * The fields of `ChildOptions`, for the schemas of `run`/`spawn` options and
 * of a tree's workers, which add their own.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { childOptionFields } from "./spec-schema.ts"
 *
 * const WithInput = Schema.Struct({ ...childOptionFields, input: Schema.optionalKey(Schema.String) })
 * ```
 */
export const childOptionFields: DecoderFields = {
  plugins: Schema.optionalKey(Plugins),
  env: Schema.optionalKey(Env),
  cwd: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  stdio: Schema.optionalKey(Schema.Union([Stdio, Schema.Tuple([Stdio, Stdio, Stdio])])),
  parentDeathSignal: Schema.optionalKey(Schema.Union([SignalSchema, Schema.Literal(false)])),
  containment: Schema.optionalKey(Schema.Literals(containmentLevels)),
  observe: Schema.optionalKey(FunctionSchema)
}

/**
 * The command, as a schema: a non-empty list of strings whose first is not empty.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ArgvSchema } from "./spec-schema.ts"
 *
 * Schema.is(ArgvSchema)(["echo", "hi"]) // true
 * Schema.is(ArgvSchema)([]) // false
 * ```
 */
export const ArgvSchema: Schema.Decoder<ReadonlyArray<string>> = Schema.Array(Schema.String).check(
  Schema.makeFilter((argv: ReadonlyArray<string>) => (argv.length > 0 && argv[0] !== "") || "Expected a command: argv[0] is missing or empty")
)

const decodeArgv = strictDecoder(ArgvSchema)

/** Keys the caller checks itself (e.g. `run`'s timeout and output options), so they are known here without a schema. */
const ownFields = (keys: ReadonlyArray<string>): Record<string, Schema.optionalKey<Schema.Unknown>> =>
  Object.fromEntries(keys.map((key) => [key, Schema.optionalKey(Schema.Unknown)]))

const decoders = new Map<string, (input: unknown) => Result.Result<unknown, InputProblem>>()

/** One decoder per set of extra keys, built once. */
const optionsDecoder = (keys: ReadonlyArray<string>) => {
  const id = keys.join(",")
  let decoder = decoders.get(id)
  if (decoder === undefined) {
    decoder = strictDecoder(Schema.Struct({ ...childOptionFields, ...ownFields(keys) }))
    decoders.set(id, decoder)
  }
  return decoder
}

const stdioOptions: ReadonlyArray<unknown> = Stdio.literals
const levels: ReadonlyArray<unknown> = containmentLevels

/** Every index holds a value `check` accepts (a hole is undefined, as the schema reads it). */
const everyIndex = (value: ReadonlyArray<unknown>, check: (item: unknown) => boolean): boolean => {
  for (let index = 0; index < value.length; index++) if (!check(value[index])) return false
  return true
}

/**
 * Per field of `childOptionFields`, a check that accepts a value only where
 * that field's schema does (it may refuse more: whatever it refuses is decoded
 * by the schema, which names the problem). A field without one always goes
 * through the schema.
 */
const quickChecks: { readonly [Key in keyof ChildOptions<unknown, unknown>]-?: (value: unknown) => boolean } = {
  plugins: (value) => Array.isArray(value) && everyIndex(value, isPlugin),
  env: (value) =>
    isPlainObject(value) &&
    Reflect.ownKeys(value).every((key) => {
      const entry = value[key]
      return typeof key === "string" && isEnvName(key) && ((typeof entry === "string" && isEnvValue(entry)) || entry === undefined)
    }),
  cwd: (value) => typeof value === "string" && value.length > 0,
  stdio: (value) => stdioOptions.includes(value) || (Array.isArray(value) && value.length === 3 && everyIndex(value, (item) => stdioOptions.includes(item))),
  parentDeathSignal: (value) => value === false || (typeof value === "string" && isSignalName(value)),
  containment: (value) => levels.includes(value),
  observe: (value) => typeof value === "function"
}
const quickFields: ReadonlyArray<string> = Object.keys(childOptionFields)

const known = new Map<ReadonlyArray<string>, ReadonlyArray<string>>()
/** The option keys of a caller (its `ownKeys` list, one per caller) and of a child, listed once. */
const knownKeys = (ownKeys: ReadonlyArray<string>): ReadonlyArray<string> => {
  let keys = known.get(ownKeys)
  if (keys === undefined) known.set(ownKeys, (keys = [...quickFields, ...ownKeys]))
  return keys
}

/**
 * Whether argv and options are certainly valid, by plain checks that accept
 * nothing the schemas refuse: then the schemas need not run (their decoding
 * took 30-45 µs of every spawn in Deno and Bun; these checks take a few).
 * False means "decode to find out", not "invalid". `ownKeys` are keys the
 * caller checks itself.
 *
 * @example
 * ```ts
 * import { acceptedAtOnce } from "./spec-schema.ts"
 *
 * acceptedAtOnce(["true"], { stdio: "ignore" }) // true
 * acceptedAtOnce(["true"], { stdio: "bogus" } as never) // false: the schema says what is wrong
 * ```
 */
export const acceptedAtOnce = (argv: ReadonlyArray<string>, options: ChildOptions<unknown, unknown>, ownKeys: ReadonlyArray<string> = []): boolean => {
  if (!Array.isArray(argv) || argv.length === 0 || argv[0] === "" || !everyIndex(argv, (arg) => typeof arg === "string")) return false
  if (!isPlainObject(options)) return false
  const fields = options as Readonly<Record<PropertyKey, unknown>>
  for (const key of Reflect.ownKeys(fields)) {
    if (typeof key !== "string") return false
    if (!quickFields.includes(key)) {
      if (ownKeys.includes(key)) continue
      return false
    }
    const check: ((value: unknown) => boolean) | undefined = (quickChecks as Readonly<Record<string, (value: unknown) => boolean>>)[key]
    if (check === undefined || !check(fields[key])) return false
  }
  // A field met only through the prototype (null or Object.prototype) would be read by the schema and by makeSpec.
  return quickFields.every((key) => Object.hasOwn(fields, key) || fields[key] === undefined)
}

/**
 * Check a child's argv and options strictly; `ownKeys` are further option
 * keys the caller checks itself. Fails with a `SpawnError` "InvalidSpec" that
 * names the path, before any process exists. Succeeds with the argv and
 * options as checked, each field read once from the caller's objects
 * (`readOnce`): use those, never the caller's objects again. (Defaults are filled in afterwards by
 * `makeSpec`, once the runtime's permissions were checked.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { checkChildOptions } from "./spec-schema.ts"
 *
 * Effect.runSync(Effect.flip(checkChildOptions(["true"], { stdio: "bogus" } as never))).message
 * // 'Invalid child spec at stdio: Expected "pipe" | "inherit" | "ignore", got "bogus"'
 * ```
 */
export const checkChildOptions = <O extends ChildOptions<unknown, unknown>>(
  given: ReadonlyArray<string>,
  options: O,
  ownKeys: ReadonlyArray<string> = []
): Effect.Effect<{ readonly argv: ReadonlyArray<string>; readonly options: O }, SpawnError> =>
  Effect.suspend(() => Effect.fromResult(childOptionsChecked(given, options, ownKeys)))

/**
 * `checkChildOptions` as a plain call, for the spawn path (no Effect of its own to run).
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { childOptionsChecked } from "./spec-schema.ts"
 *
 * Result.isSuccess(childOptionsChecked(["true"], { stdio: "ignore" })) // true
 * ```
 */
export const childOptionsChecked = <O extends ChildOptions<unknown, unknown>>(
  given: ReadonlyArray<string>,
  options: O,
  ownKeys: ReadonlyArray<string> = []
): Result.Result<{ readonly argv: ReadonlyArray<string>; readonly options: O }, SpawnError> => {
  let argv: ReadonlyArray<string>
  let read: unknown
  try {
    argv = (Array.isArray(given) ? Array.from(given) : given) as ReadonlyArray<string>
    read = readOnce(options, knownKeys(ownKeys))
  } catch (error) {
    // A getter (or a Proxy's trap) of the caller's that throws: bad input like any other, nothing started.
    const reason = error instanceof Error ? error.message : String(error)
    return Result.fail(new SpawnError({ reason: "InvalidSpec", command: "", detail: `reading the command or its options threw: ${reason}` }))
  }
  if (acceptedAtOnce(argv, read as O, ownKeys)) return Result.succeed({ argv, options: read as O })
  const command = Array.isArray(argv) && argv.every((arg) => typeof arg === "string") ? commandText(argv) : ""
  const decoded = Result.flatMap(
    Result.mapError(decodeArgv(argv), (problem) => ({ ...problem, path: problem.path === undefined ? "argv" : `argv${problem.path}` })),
    () => optionsDecoder(ownKeys)(read)
  )
  return Result.isFailure(decoded)
    ? Result.fail(new SpawnError({ reason: "InvalidSpec", command, detail: decoded.failure.detail, path: decoded.failure.path }))
    : Result.succeed({ argv, options: read as O })
}
