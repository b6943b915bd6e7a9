/**
 * libc on Bun: core/libc.ts's prototypes bound with bun:ffi. bun:ffi
 * has no varargs and no struct by value; the prototypes need neither.
 */
import { dlopen, ptr, type FFIFunction, type FFITypeOrString } from "bun:ffi"
import { bindAll, errnoOf, libcSignatures, type CFunction, type CSignature, type CType, type Libc } from "../../core/libc.ts"

const bunTypes: Readonly<Record<CType, FFITypeOrString>> = { i32: "i32", u32: "u32", i64: "i64", u64: "u64", buffer: "ptr", void: "void" }

/**
 * Opens `file` and binds a signature table with bun:ffi (a Uint8Array passed
 * to `ptr` is read and filled in place). Throws Bun's loader error.
 *
 * @example
 * ```ts
 * import { bunBind } from "./native.ts"
 * import { libcSignatures } from "../../core/libc.ts"
 *
 * const call = bunBind("libc.so.6", libcSignatures)
 * ```
 */
export const bunBind = <Name extends string>(file: string, signatures: Readonly<Record<Name, CSignature>>): Record<Name, CFunction> => {
  const declarations: Record<string, FFIFunction> = {}
  for (const [name, { args, returns }] of Object.entries<CSignature>(signatures)) {
    declarations[name] = { args: args.map((type) => bunTypes[type]), returns: bunTypes[returns] }
  }
  const { symbols } = dlopen(file, declarations)
  return bindAll(signatures, (name) => symbols[name] as unknown as CFunction)
}

let libc: Libc | undefined

/** libc bound with bun:ffi, loaded on first use. */
export const bunLibc = (): Libc => {
  if (libc !== undefined) return libc
  const call = bunBind("libc.so.6", libcSignatures)
  return (libc = { call, errno: errnoOf(call), address: (buffer) => BigInt(ptr(buffer)) })
}
