/**
 * libc on Deno: core/libc.ts's prototypes bound with Deno.dlopen (needs
 * --allow-ffi), for the native launcher, the poll thread, notify and in-process loading.
 */
import { bindAll, errnoOf, libcSignatures, type CFunction, type CSignature, type CType, type Libc } from "../../core/libc.ts"

const denoTypes: Readonly<Record<CType, Deno.NativeResultType>> = {
  i32: "i32", u32: "u32", i64: "i64", u64: "u64", buffer: "buffer", void: "void"
}

/**
 * Opens `file` and binds a signature table with Deno.dlopen (a Uint8Array
 * passed as `buffer` is read and filled in place). Throws Deno's loader error.
 *
 * @example
 * ```ts
 * import { denoBind } from "./native.ts"
 * import { libcSignatures } from "../../core/libc.ts"
 *
 * const call = denoBind("libc.so.6", libcSignatures)
 * ```
 */
export const denoBind = <Name extends string>(file: string, signatures: Readonly<Record<Name, CSignature>>): Record<Name, CFunction> => {
  const declarations: Record<string, Deno.ForeignFunction> = {}
  for (const [name, { args, returns }] of Object.entries<CSignature>(signatures)) {
    declarations[name] = { parameters: args.map((type) => denoTypes[type] as Deno.NativeType), result: denoTypes[returns] }
  }
  const { symbols } = Deno.dlopen(file, declarations)
  return bindAll(signatures, (name) => symbols[name] as unknown as CFunction)
}

let libc: Libc | undefined

/** libc if `denoLibc` has loaded it (nothing loads it just to ask: that needs --allow-ffi). */
export const loadedDenoLibc = (): Libc | undefined => libc

/** libc bound with Deno.dlopen, loaded on first use. */
export const denoLibc = (): Libc => {
  if (libc !== undefined) return libc
  const call = denoBind("libc.so.6", libcSignatures)
  const address = (buffer: Uint8Array): bigint => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>)))
  return (libc = { call, errno: errnoOf(call), address })
}
