/**
 * The JSON policy format, shared by the library and the CLI:
 *
 * ```json
 * { "default": "allow",
 *   "rules": [
 *     { "action": "errno", "errno": "EPERM", "syscalls": ["mkdir", "mkdirat"] },
 *     { "action": "errno", "errno": "EACCES", "syscalls": ["socket"],
 *       "args": [{ "index": 0, "op": "==", "value": 2 }] }],
 *   "attributes": { "noNewPrivs": true, "log": false, "optimize": 2, "badArch": "kill" },
 *   "arches": ["x86"] }
 * ```
 *
 * This file holds the types people write and the effect `Schema` that checks
 * the shape (so errors name the JSON path). The schema is deliberately loose
 * about values (any string for an action or operator): `validate.ts` checks
 * those, with typed reasons and suggestions. Unknown keys are errors, because a
 * misspelt `"args"` would otherwise silently widen a rule.
 */
import type { Result } from "effect"
import { Schema } from "effect"
import { floorEntries } from "./floor.ts"
import type { ErrnoName } from "../../core/errno.ts"
import type { FloorEntry } from "./floor.ts"
import type { ActionInput, Operator, StatedWidth } from "./model.ts"

/**
 * A 64-bit argument value: a JSON number (up to 2^53), a decimal or `0x` hex
 * string (any 64-bit value), or a bigint from code. Negative values are
 * wrapped to two's complement.
 *
 * @example
 * ```ts
 * const values: Array<ValueJson> = [2, "18446744073709551615", "0xdeadbeef", -1]
 * ```
 */
export type ValueJson = number | string | bigint

/**
 * One argument condition. `mask` goes with `masked==` only:
 * `(arg & mask) == value`. `width` (32 or 64) says how many bits of the
 * argument the kernel reads, for syscalls kakoi's width table does not know.
 *
 * @example
 * ```ts
 * const c: ArgJson = { index: 1, op: "masked==", mask: "0x3", value: 0 }
 * const d: ArgJson = { index: 0, op: "==", value: -100, width: 32 } // AT_FDCWD as an int
 * ```
 */
export interface ArgJson {
  readonly index: number
  readonly op: Operator
  readonly value: ValueJson
  readonly mask?: ValueJson
  readonly width?: StatedWidth
}

/**
 * One rule. `action` is a name or an action object; `errno` and `trace` carry
 * the value of the `"errno"` and `"trace"` actions. `args: null` means no
 * conditions (as in Docker profiles).
 *
 * @example
 * ```ts
 * const r: RuleJson = { action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }
 * ```
 */
export interface RuleJson {
  readonly action: ActionInput | "errno" | "trace"
  readonly errno?: ErrnoName | number
  readonly trace?: number
  readonly syscalls: ReadonlyArray<string>
  readonly args?: ReadonlyArray<ArgJson> | null
  /** For `"notify"` rules: the key of the handler the program supplies (the `seccomp()` plugin's `handlers`). */
  readonly handler?: string
  /** `"skip"`: leave out names libseccomp does not know (allow and log rules only). */
  readonly unknownSyscalls?: "skip"
  readonly comment?: string
}

/**
 * Filter attributes in JSON; every key is optional (see `Attributes` for the defaults).
 *
 * @example
 * ```ts
 * const a: AttributesJson = { optimize: 2, badArch: { errno: "ENOSYS" } }
 * ```
 */
export interface AttributesJson {
  readonly noNewPrivs?: boolean
  readonly log?: boolean
  readonly optimize?: 1 | 2
  readonly badArch?: ActionInput
  readonly acknowledgeUnfilteredAbis?: boolean
}

/**
 * The floor in JSON: `false` switches it off, an object switches entries off
 * (every entry defaults to on; see floor.ts).
 *
 * @example
 * ```ts
 * const f: FloorJson = { ptrace: false }
 * ```
 */
export type FloorJson = boolean | { readonly [entry in FloorEntry]?: boolean }

/**
 * A whole policy in JSON.
 *
 * @example
 * ```ts
 * const p: PolicyJson = { default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["read"] }] }
 * ```
 */
export interface PolicyJson {
  readonly default: ActionInput
  readonly rules?: ReadonlyArray<RuleJson>
  readonly attributes?: AttributesJson
  readonly arches?: ReadonlyArray<string>
  readonly floor?: FloorJson
  readonly comment?: string
}

const Value = Schema.Union([Schema.Number, Schema.String, Schema.BigInt])
const Errno = Schema.Union([Schema.String, Schema.Number])
const ActionField = Schema.Union([
  Schema.String,
  Schema.Struct({ errno: Errno }),
  Schema.Struct({ trace: Schema.Number })
])

const ArgSchema = Schema.Struct({
  index: Schema.Number,
  op: Schema.String,
  value: Value,
  mask: Schema.optionalKey(Value),
  width: Schema.optionalKey(Schema.Number)
})

const RuleSchema = Schema.Struct({
  action: ActionField,
  errno: Schema.optionalKey(Errno),
  trace: Schema.optionalKey(Schema.Number),
  syscalls: Schema.Array(Schema.String),
  args: Schema.optionalKey(Schema.NullOr(Schema.Array(ArgSchema))),
  handler: Schema.optionalKey(Schema.String),
  unknownSyscalls: Schema.optionalKey(Schema.Literal("skip")),
  comment: Schema.optionalKey(Schema.String)
})

const PolicySchema = Schema.Struct({
  default: ActionField,
  rules: Schema.optionalKey(Schema.Array(RuleSchema)),
  attributes: Schema.optionalKey(Schema.Struct({
    noNewPrivs: Schema.optionalKey(Schema.Boolean),
    log: Schema.optionalKey(Schema.Boolean),
    optimize: Schema.optionalKey(Schema.Number),
    badArch: Schema.optionalKey(ActionField),
    acknowledgeUnfilteredAbis: Schema.optionalKey(Schema.Boolean)
  })),
  arches: Schema.optionalKey(Schema.Array(Schema.String)),
  floor: Schema.optionalKey(Schema.Union([Schema.Boolean, Schema.Struct(Object.fromEntries(floorEntries.map((entry) => [entry, Schema.optionalKey(Schema.Boolean)])))])),
  comment: Schema.optionalKey(Schema.String),
  $schema: Schema.optionalKey(Schema.String)
})

/** An action whose shape the schema accepted; names and values not yet checked. */
export type RawAction = string | { readonly errno: string | number } | { readonly trace: number }

export interface RawArg {
  readonly index: number
  readonly op: string
  readonly value: ValueJson
  readonly mask?: ValueJson
  readonly width?: number
}

export interface RawRule {
  readonly action: RawAction
  readonly errno?: string | number
  readonly trace?: number
  readonly syscalls: ReadonlyArray<string>
  readonly args?: ReadonlyArray<RawArg> | null
  readonly handler?: string
  readonly unknownSyscalls?: "skip"
  readonly comment?: string
}

/** A policy whose shape (keys and types) the schema accepted. */
export interface RawPolicy {
  readonly default: RawAction
  readonly rules?: ReadonlyArray<RawRule>
  readonly attributes?: {
    readonly noNewPrivs?: boolean
    readonly log?: boolean
    readonly optimize?: number
    readonly badArch?: RawAction
    readonly acknowledgeUnfilteredAbis?: boolean
  }
  readonly arches?: ReadonlyArray<string>
  readonly floor?: boolean | { readonly [entry: string]: boolean | undefined }
  readonly comment?: string
}

const decoder = Schema.decodeUnknownResult(PolicySchema, { onExcessProperty: "error", errors: "first" })

/**
 * Checks the shape of untyped input. Unknown keys are errors. The failure's
 * issue names the JSON path of the first problem.
 */
export const decodeShape = (input: unknown): Result.Result<RawPolicy, Schema.SchemaError> => decoder(input)
