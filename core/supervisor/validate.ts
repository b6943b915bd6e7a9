/**
 * The supervision tree as an effect `Schema`, decoded strictly before anything
 * starts: every key of every worker and nested supervisor (restart, stop,
 * ready, backoff, intensity, the child options) is known, every value is
 * checked, and the first mistake fails with its JSON path. A typo such as
 * `"secomp"` or `"restrat"` is an error, never a worker quietly running
 * without its fence or its policy.
 */
import { Effect, Result, Schedule, Schema } from "effect"
import { decodedAs, FunctionSchema, readOnce, strictDecoder, type DecoderFields, type InputProblem } from "../decode.ts"
import { ArgvSchema, childOptionFields, SignalSchema } from "../spec-schema.ts"
import { SupervisorError } from "./errors.ts"
import type { SupervisorSpec } from "./spec.ts"

const Name = Schema.String.check(Schema.makeFilter((name: string) => (name !== "" && !name.includes("/")) || 'Expected a name that is not empty and has no "/"'))
const Millis = Schema.Number.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(0))
const Restart = Schema.Literals(["permanent", "transient", "temporary"])
const TimeoutMs = Schema.optionalKey(Millis)

const Stop = Schema.Struct({ signal: Schema.optionalKey(SignalSchema), timeoutMs: TimeoutMs })
const Intensity = Schema.Struct({
  maxRestarts: Schema.optionalKey(Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0))),
  withinMs: Schema.optionalKey(Schema.Number.check(Schema.isFinite(), Schema.isGreaterThan(0)))
})
const BackoffOptions = Schema.Struct({
  initialMs: Schema.optionalKey(Millis),
  factor: Schema.optionalKey(Schema.Number.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(1))),
  maxMs: Schema.optionalKey(Millis),
  jitter: Schema.optionalKey(Schema.Boolean)
})
// Any Schedule, or the options of the default one.
const Backoff = decodedAs((input) => (Schedule.isSchedule(input) ? undefined : BackoffOptions))
const Ready = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("line"),
    pattern: Schema.Union([Schema.String, Schema.RegExp]),
    stream: Schema.optionalKey(Schema.Literals(["stdout", "stderr"])),
    timeoutMs: TimeoutMs
  }),
  Schema.Struct({ kind: Schema.Literal("delay"), ms: Millis }),
  Schema.Struct({ kind: Schema.Literal("effect"), check: FunctionSchema, timeoutMs: TimeoutMs })
]).annotate({ expected: 'a readiness of kind "line" (with a pattern), "delay" (with ms) or "effect" (with a check)' })

/** What a worker may say besides the child options. */
const workerFields: DecoderFields = {
  ...childOptionFields,
  name: Name,
  argv: ArgvSchema,
  restart: Schema.optionalKey(Restart),
  stop: Schema.optionalKey(Stop),
  backoff: Schema.optionalKey(Backoff),
  resetAfterMs: Schema.optionalKey(Millis),
  ready: Schema.optionalKey(Ready),
  processGroup: Schema.optionalKey(Schema.Boolean)
}

/** The first sibling whose name an earlier one already has, as a failure at its path. Runs once every child decoded. */
const uniqueNames = Schema.makeFilter((spec: { readonly children: ReadonlyArray<unknown> }) => {
  const seen = new Set<string>()
  for (const [index, child] of spec.children.entries()) {
    const { name } = child as { readonly name: string }
    if (seen.has(name)) return { path: ["children", index, "name"], issue: `The name ${JSON.stringify(name)} is used by an earlier sibling` }
    seen.add(name)
  }
  return undefined
})

/**
 * The tree's schema; `extraWorkerFields` are keys a worker may carry in a
 * particular input, e.g. `seccomp` and `rlimit` in the CLI's JSON trees.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { treeSchema } from "./validate.ts"
 *
 * const cliTree = treeSchema({ rlimit: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)) })
 * ```
 */
export const treeSchema = (extraWorkerFields: DecoderFields = {}): Schema.ConstraintDecoder<unknown> => {
  const worker = Schema.Struct({ ...workerFields, ...extraWorkerFields })
  // A child is a nested supervisor when it has children, else a worker.
  const child = decodedAs((input) => (typeof input === "object" && input !== null && "children" in input ? supervisor : worker))
  const supervisor: Schema.ConstraintDecoder<unknown> = Schema.Struct({
    name: Name,
    strategy: Schema.optionalKey(Schema.Literals(["one-for-one", "one-for-all", "rest-for-one"])),
    intensity: Schema.optionalKey(Intensity),
    children: Schema.Array(child),
    restart: Schema.optionalKey(Restart),
    backoff: Schema.optionalKey(Backoff),
    resetAfterMs: Schema.optionalKey(Millis)
  }).check(uniqueNames)
  return supervisor
}

const decodeTree = strictDecoder(treeSchema())

/**
 * The SupervisorError for a problem found in a tree (from `file`, when it was read from one).
 *
 * @example
 * ```ts
 * import { invalidTree } from "./validate.ts"
 *
 * invalidTree({ name: "app" }, { path: "children", detail: "Missing key" }, "tree.json").message
 * // 'Invalid supervision tree "app" in "tree.json" at children: Missing key'
 * ```
 */
export const invalidTree = (tree: unknown, problem: InputProblem, file?: string): SupervisorError => {
  const name = typeof tree === "object" && tree !== null ? (tree as { readonly name?: unknown }).name : undefined
  return new SupervisorError({
    reason: "InvalidSpec",
    supervisor: typeof name === "string" ? name : "",
    child: "",
    detail: problem.detail,
    lastExits: [],
    path: problem.path,
    file
  })
}

/** Every key a supervisor or a worker may have. */
const treeKeys: ReadonlyArray<string> = [...Object.keys(workerFields), "strategy", "intensity", "children"]

/** A tree read once (core/decode.ts `readOnce`), each level of children too: every worker starts from what was checked. */
const treeOnce = (tree: unknown): unknown =>
  readOnce(tree, treeKeys, { children: (children) => (Array.isArray(children) ? Array.from(children, treeOnce) : children) })

/**
 * Fails with a SupervisorError of reason "InvalidSpec" naming the first
 * mistake and its JSON path; a tree from TypeScript is checked like one from
 * JSON, since it may have been built from untyped data. Succeeds with the
 * tree as checked, each field read once (a getter or a Proxy cannot answer
 * a restart differently): start from that, never from the caller's objects.
 *
 * @example
 * ```ts
 * import { validateTree } from "./validate.ts"
 *
 * validateTree({ name: "app", children: [{ name: "a", argv: ["true"], restrat: "temporary" }] } as never)
 * // fails: 'Invalid supervision tree "app" at children[0].restrat: Unknown key "restrat": did you mean "restart"?'
 * ```
 */
export const validateTree = <E, R>(given: SupervisorSpec<E, R>): Effect.Effect<SupervisorSpec<E, R>, SupervisorError> =>
  Effect.suspend(() => {
    const spec = treeOnce(given) as SupervisorSpec<E, R>
    const decoded = decodeTree(spec)
    return Result.isFailure(decoded) ? Effect.fail(invalidTree(spec, decoded.failure)) : Effect.succeed(spec)
  })
