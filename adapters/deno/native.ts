/**
 * The Native port on Deno: core/libc.ts's prototypes bound with Deno.dlopen
 * (needs --allow-ffi). Also a `read` declared nonblocking, which Deno runs on
 * another thread, so the parent can wait on a raw fd without blocking its
 * event loop.
 */
import { bindAll, errnoOf, libcSignatures, type CFunction, type CSignature, type CType, type Libc } from "../../core/libc.ts"
import { nativeFromLibc } from "../../core/libc-native.ts"
import type { Native } from "../../core/native.ts"

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

/** libc bound with Deno.dlopen, loaded on first use. */
export const denoLibc = (): Libc => {
  if (libc !== undefined) return libc
  const call = denoBind("libc.so.6", libcSignatures)
  const address = (buffer: Uint8Array): bigint => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>)))
  return (libc = { call, errno: errnoOf(call), address })
}

const bindReadOffThread = () =>
  Deno.dlopen("libc.so.6", { read: { parameters: ["i32", "buffer", "usize"], result: "isize", nonblocking: true } }).symbols.read

let readOffThread: ReturnType<typeof bindReadOffThread> | undefined

/**
 * read(2) on one of Deno's blocking-pool threads: bytes read, 0 at end of file,
 * or -1 (errno is that thread's, so it is not reported).
 *
 * @example
 * ```ts
 * import { readAsync } from "./native.ts"
 *
 * const count = await readAsync(0, new Uint8Array(4096))
 * ```
 */
export const readAsync = async (fd: number, buffer: Uint8Array<ArrayBuffer>): Promise<number> => {
  readOffThread ??= bindReadOffThread()
  return Number(await readOffThread(fd, buffer, BigInt(buffer.byteLength)))
}

let native: Native | undefined

/** The Deno.dlopen binding, loaded on first use. */
export const denoNative = (): Native => (native ??= nativeFromLibc(denoLibc()))
