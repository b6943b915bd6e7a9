/** The types of runtime-libc.js. */
import type { Libc } from "../../../core/libc.ts"

/** libc bound by the running runtime's FFI (koffi, Deno.dlopen or bun:ffi). */
export declare const runtimeLibc: () => Promise<Libc>
