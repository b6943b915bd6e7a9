/**
 * `policy()` and `decodePolicy()`: the two doors into a validated `Policy`,
 * from the DSL, a typed JSON object, or untyped input (a parsed file). Both
 * run the same checks; `policy()` throws, `decodePolicy()` fails the effect.
 */
import { Effect, Result, SchemaIssue } from "effect"
import { jsonPath } from "../../core/decode.ts"
import type { PolicyOptions, RuleBuilder } from "./dsl.ts"
import { fromBuilder } from "./dsl.ts"
import { PolicyError } from "./errors.ts"
import type { PolicyJson } from "./json.ts"
import { decodeShape } from "./json.ts"
import type { Policy } from "./model.ts"
import { attachHandlers } from "./notify/attached.ts"
import type { NotifyHandler } from "./notify/handler.ts"
import { validate } from "./validate.ts"

const validated = new WeakSet<Policy>()

/**
 * Whether a value is a `Policy` made by `policy()` or `decodePolicy()`.
 *
 * @example
 * ```ts
 * isPolicy(policy({ default: "allow" })) // true
 * isPolicy({ default: "allow" }) // false: still JSON
 * ```
 */
export const isPolicy = (value: unknown): value is Policy =>
  typeof value === "object" && value !== null && validated.has(value as Policy)

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** `["rules", 1, "args", 0, "op"]` → `rules[1].args[0].op`. */
const formatPath = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>): string | undefined =>
  jsonPath(path.map((segment) => (typeof segment === "object" ? segment.key : segment)))

/** Checks and freezes untyped input; the synchronous core of every entry point. */
const decodeSync = (input: unknown): Policy => {
  if (isPolicy(input)) return input
  const shape = decodeShape(input)
  if (Result.isFailure(shape)) {
    const [first] = formatIssue(shape.failure.issue).issues
    const detail = first?.message === "Expected no excess property" ? "Unexpected key" : first?.message
    throw new PolicyError({ reason: "InvalidJson", path: formatPath(first?.path ?? []), detail: detail ?? "Malformed policy" })
  }
  const result = validate(shape.success)
  validated.add(result)
  return result
}

/**
 * Makes a validated, immutable policy from the DSL or from the JSON format,
 * throwing `PolicyError` on the first structural problem (syscall and
 * architecture names are checked later, by `compile`, which needs libseccomp).
 * A `Policy` passed in comes back as is.
 *
 * @example
 * ```ts
 * const fromDsl = policy((rule) => {
 *   rule.kill("mkdir")
 *   rule.errno("EPERM", "mkdirat")
 *   rule.allow("socket", arg(0).eq(1n))
 * }, { default: "allow" })
 *
 * const fromJson = policy({
 *   default: "allow",
 *   rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }]
 * })
 * ```
 */
export function policy(input: PolicyJson | Policy): Policy
export function policy(build: (rule: RuleBuilder) => unknown, options: PolicyOptions): Policy
export function policy(input: PolicyJson | Policy | ((rule: RuleBuilder) => unknown), options?: PolicyOptions): Policy {
  if (typeof input !== "function") return decodeSync(input)
  if (options === undefined) {
    throw new PolicyError({ reason: "InvalidJson", path: "default", detail: 'A DSL policy needs options with a default action, e.g. { default: "allow" }' })
  }
  const handlers = new Map<string, NotifyHandler>()
  const result = decodeSync(fromBuilder(input, options, handlers))
  if (handlers.size > 0) attachHandlers(result, handlers)
  return result
}

/**
 * Validates untyped input (e.g. a parsed JSON file) as a policy.
 *
 * @example
 * ```ts
 * const p = await Effect.runPromise(decodePolicy(JSON.parse(text)))
 * ```
 */
export const decodePolicy = (input: unknown): Effect.Effect<Policy, PolicyError> =>
  Effect.try({
    try: () => decodeSync(input),
    catch: (error) => (error instanceof PolicyError ? error : new PolicyError({ reason: "InvalidJson", path: undefined, detail: String(error) }))
  })

/**
 * Parses and validates JSON text as a policy (what the CLI reads).
 *
 * @example
 * ```ts
 * await Effect.runPromise(decodePolicyText('{"default": "allow"}'))
 * ```
 */
export const decodePolicyText = (text: string): Effect.Effect<Policy, PolicyError> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (error) =>
      new PolicyError({ reason: "InvalidJson", path: undefined, detail: `Cannot parse JSON: ${error instanceof Error ? error.message : String(error)}` })
  }).pipe(Effect.flatMap(decodePolicy))
