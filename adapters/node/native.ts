/**
 * The Native port on Node: core/libc.ts's prototypes bound with koffi. Used by
 * the launcher (in the child, before execve) and by in-process policy loading.
 */
import { createRequire } from "node:module"
import { bindAll, libcSignatures, type CFunction, type CSignature, type CType, type Libc } from "../../core/libc.ts"
import { nativeFromLibc } from "../../core/libc-native.ts"
import type { Native } from "../../core/native.ts"
import type { PollOffThread } from "../../plugins/seccomp/notify/system.ts"

type Koffi = typeof import("koffi")
/** koffi itself, for the other Node bindings. */
export const koffi: Koffi = createRequire(import.meta.url)("koffi")

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

/** libc bound with koffi, loaded on first use. */
export const nodeLibc = (): Libc =>
  (libc ??= { call: koffiBind(koffi.load("libc.so.6"), libcSignatures), errno: () => koffi.errno(), address: (buffer) => koffi.address(buffer) as bigint })

type KoffiFunction = ReturnType<ReturnType<Koffi["load"]>["func"]>
let pollFunction: KoffiFunction | undefined

/**
 * poll(2) on a libuv pool thread (koffi's `.async`), for the notify receive
 * loop: one pool thread for every listener, so the host's own fs work keeps
 * the rest of the pool.
 *
 * @example
 * ```ts
 * const ready = await nodePollOffThread(address, 2, -1)
 * ```
 */
export const nodePollOffThread: PollOffThread = (address, count, timeoutMs) =>
  new Promise((resolve) => {
    // syscall(SYS_poll, fds, nfds, timeout): the address stays valid while the arena is referenced by the caller.
    pollFunction ??= koffi.load("libc.so.6").func("syscall", "int64_t", ["int64_t", "int64_t", "int64_t", "int64_t"])
    pollFunction.async(SYS_poll, address, count, timeoutMs, (error: unknown, result: unknown) =>
      resolve(error ? -1 : Number(result)))
  })

const SYS_poll = 7

let native: Native | undefined

/** The koffi binding, loaded on first use. */
export const nodeNative = (): Native => (native ??= nativeFromLibc(nodeLibc()))
