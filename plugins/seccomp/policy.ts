/**
 * `policy()` and `decodePolicy()`: the two doors into a validated `Policy`,
 * from the DSL, a typed JSON object, or untyped input (a parsed file). Both
 * run the same checks; `policy()` throws, `decodePolicy()` fails the effect.
 */
import { Effect, Result } from "effect"
import type { PolicyOptions, RuleBuilder } from "./dsl.ts"
import { fromBuilder } from "./dsl.ts"
import { PolicyError } from "./errors.ts"
import { withImport } from "./formats/imported.ts"
import { importOci, type OciOptions } from "./formats/oci-import.ts"
import { isOciProfile, type OciProfile } from "./formats/oci-json.ts"
import { shapeError } from "./formats/schema-error.ts"
import type { PolicyJson } from "./json.ts"
import { parseJsonText } from "./json-text.ts"
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
 * import { isPolicy, policy } from "kakoi/seccomp"
 *
 * isPolicy(policy({ default: "allow" })) // true
 * isPolicy({ default: "allow" }) // false: still JSON
 * ```
 */
export const isPolicy = (value: unknown): value is Policy =>
  typeof value === "object" && value !== null && validated.has(value as Policy)

/** Checks and freezes untyped input; the synchronous core of every entry point. A Docker/OCI profile is read first. */
const decodeSync = (input: unknown, options: OciOptions = {}): Policy => {
  if (isPolicy(input)) return input
  if (isOciProfile(input)) return withImport(importOci(input, options), (json) => decodeSync(json))
  const shape = decodeShape(input)
  if (Result.isFailure(shape)) throw shapeError(shape.failure)
  const result = validate(shape.success)
  validated.add(result)
  return result
}

/**
 * Makes a validated, immutable policy from the DSL, from the JSON format, or
 * from a Docker/OCI/Podman seccomp profile (recognised by its `defaultAction`;
 * `options` say what its `includes`/`excludes` are evaluated against, see
 * `OciOptions`), throwing `PolicyError` on the first structural problem (syscall
 * and architecture names are checked later, by `compile`, which needs libseccomp).
 * A `Policy` passed in comes back as is.
 *
 * @example
 * ```ts
 * import { arg, policy } from "kakoi/seccomp"
 *
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
 *
 * // A Docker/OCI profile (e.g. JSON.parse of docker-default.json), with the capabilities the child holds.
 * const profile = {
 *   defaultAction: "SCMP_ACT_ERRNO",
 *   syscalls: [
 *     { names: ["read", "write", "execve", "exit_group"], action: "SCMP_ACT_ALLOW" },
 *     { names: ["chown", "fchown"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_CHOWN"] } }
 *   ]
 * }
 * const docker = policy(profile, { caps: ["CAP_CHOWN"] })
 * docker.rules.length // 2: without CAP_CHOWN the chown entry would be left out
 * ```
 */
export function policy(input: PolicyJson | Policy | OciProfile, options?: OciOptions): Policy
export function policy(build: (rule: RuleBuilder) => unknown, options: PolicyOptions): Policy
export function policy(input: PolicyJson | Policy | OciProfile | ((rule: RuleBuilder) => unknown), options?: PolicyOptions | OciOptions): Policy {
  if (typeof input !== "function") return decodeSync(input, options as OciOptions | undefined)
  if (options === undefined) {
    throw new PolicyError({ reason: "InvalidJson", path: "default", detail: 'A DSL policy needs options with a default action, e.g. { default: "allow" }' })
  }
  const handlers = new Map<string, NotifyHandler>()
  const result = decodeSync(fromBuilder(input, options as PolicyOptions, handlers))
  if (handlers.size > 0) attachHandlers(result, handlers)
  return result
}

/**
 * Validates untyped input (e.g. a parsed JSON file) as a policy.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { decodePolicy } from "kakoi/seccomp"
 *
 * const text = '{"default": "allow", "rules": [{"action": "kill", "syscalls": ["mkdir"]}]}'
 * const p = await Effect.runPromise(decodePolicy(JSON.parse(text)))
 * p.rules[0]?.action // { kind: "kill" }
 * ```
 */
export const decodePolicy = (input: unknown, options?: OciOptions): Effect.Effect<Policy, PolicyError> =>
  Effect.try({
    try: () => decodeSync(input, options),
    catch: (error) => (error instanceof PolicyError ? error : new PolicyError({ reason: "InvalidJson", path: undefined, detail: String(error) }))
  })

/**
 * Parses and validates JSON text as a policy (what the CLI reads). A key
 * written twice in one object is an error (JSON.parse would keep the last),
 * and integers beyond 2^53 are read exactly.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { decodePolicyText } from "kakoi/seccomp"
 *
 * const p = await Effect.runPromise(decodePolicyText('{"default": "allow"}'))
 * p.default // { kind: "allow" }
 * const error = await Effect.runPromise(Effect.flip(decodePolicyText('{"default": "allow", "default": "kill"}')))
 * error.reason // "DuplicateKey"
 * ```
 */
export const decodePolicyText = (text: string, options?: OciOptions): Effect.Effect<Policy, PolicyError> =>
  Effect.try({
    // Not JSON.parse: a duplicate key must fail, and integers beyond 2^53 stay as written (json-text.ts).
    try: (): unknown => parseJsonText(text),
    catch: (error) =>
      error instanceof PolicyError
        ? error
        : new PolicyError({ reason: "InvalidJson", path: undefined, detail: `Cannot parse JSON: ${error instanceof Error ? error.message : String(error)}` })
  }).pipe(Effect.flatMap((input) => decodePolicy(input, options)))
