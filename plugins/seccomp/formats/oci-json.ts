/**
 * The Docker / OCI / Podman seccomp profile format, as moby's
 * profiles/seccomp types, the OCI runtime spec's `linux.seccomp` and
 * containers/common's extensions (`errno`, `defaultErrno`) define it: the
 * types, and the strict effect `Schema` that checks the shape (unknown keys are
 * errors with their JSON path). `oci-import.ts` evaluates what it means.
 */
import type { Result } from "effect"
import { Schema } from "effect"

/**
 * One argument condition: `op` is `SCMP_CMP_*`; for `SCMP_CMP_MASKED_EQ`,
 * `value` is the mask and `valueTwo` the value the masked argument must equal.
 *
 * @example
 * ```ts
 * const noNamespaces: OciArg = { index: 0, value: 2114060288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }
 * ```
 */
export interface OciArg {
  readonly index: number
  readonly value: number | bigint
  readonly valueTwo?: number | bigint
  readonly op: string
}

/**
 * moby's conditions on an entry: capabilities the child holds, the native
 * architecture (Go's names: `amd64`, `arm64`, ...) and a minimum kernel (`"4.8"`).
 *
 * @example
 * ```ts
 * const onlyWithAdmin: OciFilter = { caps: ["CAP_SYS_ADMIN"] }
 * ```
 */
export interface OciFilter {
  readonly caps?: ReadonlyArray<string> | null
  readonly arches?: ReadonlyArray<string> | null
  readonly minKernel?: string | null
}

/**
 * One entry of `syscalls`.
 *
 * @example
 * ```ts
 * const entry: OciSyscall = { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38, excludes: { caps: ["CAP_SYS_ADMIN"] } }
 * ```
 */
export interface OciSyscall {
  readonly name?: string
  readonly names?: ReadonlyArray<string> | null
  readonly action: string
  readonly errnoRet?: number | null
  /** containers/common: the errno by name, next to (or instead of) `errnoRet`. */
  readonly errno?: string
  readonly args?: ReadonlyArray<OciArg> | null
  readonly comment?: string
  readonly includes?: OciFilter | null
  readonly excludes?: OciFilter | null
}

/**
 * A whole profile, as `docker run --security-opt seccomp=FILE` reads it.
 *
 * @example
 * ```ts
 * const profile: OciProfile = {
 *   defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
 *   syscalls: [{ names: ["read", "write", "exit_group"], action: "SCMP_ACT_ALLOW" }]
 * }
 * ```
 */
export interface OciProfile {
  readonly defaultAction: string
  readonly defaultErrnoRet?: number | null
  readonly defaultErrno?: string
  readonly architectures?: ReadonlyArray<string> | null
  readonly archMap?: ReadonlyArray<{ readonly architecture: string; readonly subArchitectures?: ReadonlyArray<string> | null }> | null
  readonly syscalls?: ReadonlyArray<OciSyscall> | null
  readonly flags?: ReadonlyArray<string> | null
  readonly listenerPath?: string
  readonly listenerMetadata?: string
  readonly comment?: string
}

const Value = Schema.Union([Schema.Number, Schema.BigInt])
const Names = Schema.NullOr(Schema.Array(Schema.String))

const Filter = Schema.Struct({
  caps: Schema.optionalKey(Names),
  arches: Schema.optionalKey(Names),
  minKernel: Schema.optionalKey(Schema.NullOr(Schema.String))
})

const Arg = Schema.Struct({
  index: Schema.Number,
  value: Value,
  valueTwo: Schema.optionalKey(Value),
  op: Schema.String
})

const Syscall = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  names: Schema.optionalKey(Names),
  action: Schema.String,
  errnoRet: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  errno: Schema.optionalKey(Schema.String),
  args: Schema.optionalKey(Schema.NullOr(Schema.Array(Arg))),
  comment: Schema.optionalKey(Schema.String),
  includes: Schema.optionalKey(Schema.NullOr(Filter)),
  excludes: Schema.optionalKey(Schema.NullOr(Filter))
})

const Profile = Schema.Struct({
  $schema: Schema.optionalKey(Schema.String),
  comment: Schema.optionalKey(Schema.String),
  defaultAction: Schema.String,
  defaultErrnoRet: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  defaultErrno: Schema.optionalKey(Schema.String),
  architectures: Schema.optionalKey(Names),
  archMap: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.Struct({
    architecture: Schema.String,
    subArchitectures: Schema.optionalKey(Names)
  })))),
  syscalls: Schema.optionalKey(Schema.NullOr(Schema.Array(Syscall))),
  flags: Schema.optionalKey(Names),
  listenerPath: Schema.optionalKey(Schema.String),
  listenerMetadata: Schema.optionalKey(Schema.String)
})

/**
 * Whether untyped input is meant as a Docker/OCI profile: it has `defaultAction`
 * (kakoi's own format says `default` and rejects unknown keys, so the two never mix).
 *
 * @example
 * ```ts
 * import { isOciProfile } from "kakoi/seccomp"
 *
 * isOciProfile({ defaultAction: "SCMP_ACT_ALLOW" }) // true
 * isOciProfile({ default: "allow" }) // false
 * ```
 */
export const isOciProfile = (input: unknown): input is OciProfile =>
  typeof input === "object" && input !== null && !Array.isArray(input) && Object.hasOwn(input, "defaultAction")

const decoder = Schema.decodeUnknownResult(Profile, { onExcessProperty: "error", errors: "first" })

/**
 * Checks the shape of a profile; unknown keys are errors naming their JSON path.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { decodeOciShape } from "./oci-json.ts"
 *
 * Result.isSuccess(decodeOciShape({ defaultAction: "SCMP_ACT_ALLOW" })) // true
 * Result.isSuccess(decodeOciShape({ defaultAction: "SCMP_ACT_ALLOW", syscals: [] })) // false: an unknown key
 * ```
 */
export const decodeOciShape = (input: unknown): Result.Result<OciProfile, Schema.SchemaError> => decoder(input)
