/**
 * The typed error for a Deno permission kakoi needs but was not granted. It
 * uses no Deno globals, so the runtime-neutral root entry can export it.
 */
import { Data, type Cause } from "effect"

/** A permission kakoi may need, by Deno's name for it. */
export type DenoPermission = "ffi" | "run" | "env"

interface DenoPermissionErrorFields {
  readonly permission: DenoPermission
  /** The flag that grants it, e.g. "--allow-ffi". */
  readonly flag: string
  /** What kakoi needed it for, e.g. "start the launcher". */
  readonly purpose: string
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const DenoPermissionErrorBase: new (args: DenoPermissionErrorFields) => Cause.YieldableError & {
  readonly _tag: "DenoPermissionError"
} & Readonly<DenoPermissionErrorFields> = Data.TaggedError("DenoPermissionError")

/**
 * Deno denies a permission kakoi needs; the message names the flag.
 *
 * @example
 * ```ts
 * import { DenoPermissionError } from "./permission-error.ts"
 *
 * new DenoPermissionError({ permission: "ffi", flag: "--allow-ffi", purpose: "call libc and libseccomp" }).message
 * // 'Deno permission "ffi" is required to call libc and libseccomp: run with --allow-ffi'
 * ```
 */
export class DenoPermissionError extends DenoPermissionErrorBase {
  override get message(): string {
    return `Deno permission "${this.permission}" is required to ${this.purpose}: run with ${this.flag}`
  }
}
