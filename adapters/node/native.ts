/**
 * libc on Node: core/libc.ts's prototypes bound with koffi, for the native
 * launcher, the poll thread, notify and in-process policy loading.
 */
import { bindAll, libcSignatures, type CFunction, type CSignature, type CType, type Libc } from "../../core/libc.ts"
import { loadKoffi } from "./koffi-load.ts"

type Koffi = typeof import("koffi")
/** koffi itself, for the other Node bindings. */
export const koffi: Koffi = loadKoffi(import.meta.url)

const koffiTypes: Readonly<Record<CType, string>> = {
  i32: "int32_t", u32: "uint32_t", i64: "int64_t", u64: "uint64_t", buffer: "void *", void: "void"
}

/**
 * Binds a signature table against one koffi library (koffi passes a Uint8Array
 * to `void *` by reference, so C reads and fills it in place).
 *
 * @example
 * ```ts
 * import { koffi, koffiBind } from "./native.ts"
 * import { libcSignatures } from "../../core/libc.ts"
 *
 * const call = koffiBind(koffi.load("libc.so.6"), libcSignatures)
 * ```
 */
export const koffiBind = <Name extends string>(
  library: ReturnType<Koffi["load"]>,
  signatures: Readonly<Record<Name, CSignature>>
): Record<Name, CFunction> =>
  bindAll(signatures, (name, { args, returns }) =>
    library.func(name, koffiTypes[returns], args.map((type) => koffiTypes[type])) as CFunction)

let libc: Libc | undefined

/** libc if `nodeLibc` has loaded it (nothing loads it just to ask). */
export const loadedNodeLibc = (): Libc | undefined => libc

/** libc bound with koffi, loaded on first use. */
export const nodeLibc = (): Libc =>
  (libc ??= { call: koffiBind(koffi.load("libc.so.6"), libcSignatures), errno: () => koffi.errno(), address: (buffer) => koffi.address(buffer) as bigint })
