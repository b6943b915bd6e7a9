/**
 * The libseccomp port (plugins/seccomp/library.ts) built once from raw C
 * calls: each adapter binds `libseccompSignatures` and libc with its FFI and
 * calls `libseccompFrom`; argument encoding, handle bookkeeping, the memfd
 * export and the `NativeLibraryError` mapping live here.
 *
 * Contexts and strings libseccomp returns are addresses carried as bigint
 * (`u64`), never a runtime's pointer type, so the three bindings cannot drift.
 */
import { Effect } from "effect"
import { constants, errno } from "../../core/arch/generic.ts"
import { checked, copyOut, copyString, cString, type CFunction, type CSignature, type Libc } from "../../core/libc.ts"
import { NativeLibraryError } from "../../core/native-error.ts"
import type { ArgComparison, FilterContext, SeccompLibraryShape } from "../../plugins/seccomp/library.ts"

const { MFD_CLOEXEC } = constants
const { EINVAL } = errno
/** sizeof(struct scmp_arg_cmp) on every 64-bit ABI: u32 arg, u32 op, u64 datum_a, u64 datum_b. */
const argCmpSize = 24
const u32Max = 0xffff_ffff
const u64Limit = 1n << 64n

/**
 * The soname kakoi opens by default; the dynamic loader finds it on every distribution's path.
 *
 * @example
 * ```ts
 * import { libseccompFile } from "./libseccomp.ts"
 *
 * libseccompFile // "libseccomp.so.2"
 * ```
 */
export const libseccompFile = "libseccomp.so.2"

const installWith = 'with "apt-get install libseccomp2" (Debian/Ubuntu) or "dnf install libseccomp" (Fedora)'
/** The dynamic loader's words for a file it did not find, as Node (koffi), Deno and Bun pass them on. */
const notFound = /cannot open shared object file|no such file/i
const loadFailedRemedy = "the runtime's FFI must be able to load it (on Bun, do not turn the JIT off: bun:ffi needs it)"

/** The libseccomp functions kakoi binds, by their C names. */
export type LibseccompFunction =
  | "seccomp_version" | "seccomp_init" | "seccomp_release" | "seccomp_attr_set" | "seccomp_arch_add"
  | "seccomp_arch_native" | "seccomp_arch_resolve_name" | "seccomp_syscall_resolve_name_arch"
  | "seccomp_syscall_resolve_num_arch" | "seccomp_rule_add_array" | "seccomp_export_bpf" | "seccomp_export_pfc"

/**
 * libseccomp 2.5 prototypes; `scmp_filter_ctx` and returned strings are `u64` addresses.
 *
 * @example
 * ```ts
 * import { libseccompSignatures } from "./libseccomp.ts"
 *
 * libseccompSignatures.seccomp_init // { args: ["u32"], returns: "u64" }
 * ```
 */
export const libseccompSignatures: Readonly<Record<LibseccompFunction, CSignature>> = {
  seccomp_version: { args: [], returns: "u64" },
  seccomp_init: { args: ["u32"], returns: "u64" },
  seccomp_release: { args: ["u64"], returns: "void" },
  seccomp_attr_set: { args: ["u64", "i32", "u32"], returns: "i32" },
  seccomp_arch_add: { args: ["u64", "u32"], returns: "i32" },
  seccomp_arch_native: { args: [], returns: "u32" },
  seccomp_arch_resolve_name: { args: ["buffer"], returns: "u32" },
  seccomp_syscall_resolve_name_arch: { args: ["u32", "buffer"], returns: "i32" },
  seccomp_syscall_resolve_num_arch: { args: ["u32", "i32"], returns: "u64" },
  seccomp_rule_add_array: { args: ["u64", "u32", "i32", "u32", "buffer"], returns: "i32" },
  seccomp_export_bpf: { args: ["u64", "i32"], returns: "i32" },
  seccomp_export_pfc: { args: ["u64", "i32"], returns: "i32" }
}

/** A context handle; `address` is cleared on release so a second release or a late call cannot touch freed memory. */
interface Handle extends FilterContext {
  address: bigint | undefined
}

/** Contexts a binding made; anything else is refused instead of being passed to C as a pointer. */
const handles = new WeakSet<FilterContext>()
const isHandle = (ctx: FilterContext): ctx is Handle => handles.has(ctx)
const addressOf = (ctx: FilterContext): bigint | undefined => (isHandle(ctx) ? ctx.address : undefined)

const isU32 = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= u32Max
const isU64 = (value: bigint): boolean => value >= 0n && value < u64Limit

/** Encodes the comparisons as a C array of `struct scmp_arg_cmp`, or undefined when a field does not fit its C type. */
const encodeArgs = (args: ReadonlyArray<ArgComparison>): Uint8Array | undefined => {
  const bytes = new Uint8Array(argCmpSize * args.length)
  const view = new DataView(bytes.buffer)
  for (const [index, cmp] of args.entries()) {
    // C would silently truncate these; an out-of-range value is a caller bug, so refuse it.
    if (!isU32(cmp.arg) || !isU32(cmp.op) || !isU64(cmp.a) || !isU64(cmp.b)) return undefined
    const offset = argCmpSize * index
    view.setUint32(offset, cmp.arg, true)
    view.setUint32(offset + 4, cmp.op, true)
    view.setBigUint64(offset + 8, cmp.a, true)
    view.setBigUint64(offset + 16, cmp.b, true)
  }
  return bytes
}

/**
 * The port over raw libseccomp calls and the runtime's libc (for the memfd
 * export and for freeing the names libseccomp mallocs).
 *
 * @example
 * ```ts
 * import { libseccompFrom } from "./libseccomp.ts"
 *
 * declare const seccomp: Parameters<typeof libseccompFrom>[0]
 * declare const libc: Parameters<typeof libseccompFrom>[1]
 * libseccompFrom(seccomp, libc).archNative()
 * ```
 */
export const libseccompFrom = (seccomp: Readonly<Record<LibseccompFunction, CFunction>>, libc: Libc): SeccompLibraryShape => {
  const c = libc.call

  /** Reads a whole file from offset 0 (the export left the file offset at its end), or -errno. */
  const readAll = (fd: number): Uint8Array | number => {
    const chunks: Array<Uint8Array> = []
    for (let offset = 0; ;) {
      const chunk = new Uint8Array(64 * 1024)
      const count = checked(c.pread(fd, chunk, chunk.byteLength, offset), libc.errno)
      if (count < 0) return count
      if (count === 0) break
      chunks.push(chunk.subarray(0, count))
      offset += count
    }
    const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
    chunks.reduce((offset, chunk) => (all.set(chunk, offset), offset + chunk.byteLength), 0)
    return all
  }

  /** Runs a libseccomp export into a fresh memfd and returns the fd's bytes, or -errno. */
  const exportToMemory = (ctx: FilterContext, name: string, exporter: CFunction): Uint8Array | number => {
    const address = addressOf(ctx)
    if (address === undefined) return -EINVAL
    const fd = checked(c.memfd_create(cString(name), MFD_CLOEXEC), libc.errno)
    if (fd < 0) return fd
    try {
      const result = Number(exporter(address, fd))
      return result < 0 ? result : readAll(fd)
    } finally {
      c.close(fd)
    }
  }

  /** Calls `call` with the context's address, or -EINVAL for a released or foreign context. */
  const withContext = (ctx: FilterContext, call: (address: bigint) => number | bigint): number => {
    const address = addressOf(ctx)
    return address === undefined ? -EINVAL : Number(call(address))
  }

  return {
    version: () => {
      const view = new DataView(copyOut(c, BigInt(seccomp.seccomp_version()), 12).buffer)
      return { major: view.getUint32(0, true), minor: view.getUint32(4, true), micro: view.getUint32(8, true) }
    },
    init: (defaultAction) => {
      const address = BigInt(seccomp.seccomp_init(defaultAction))
      if (address === 0n) return undefined
      const handle: Handle = { _brand: "scmp_filter_ctx", address }
      handles.add(handle)
      return handle
    },
    release: (ctx) => {
      if (!isHandle(ctx) || ctx.address === undefined) return
      seccomp.seccomp_release(ctx.address)
      ctx.address = undefined
    },
    attrSet: (ctx, attr, value) => withContext(ctx, (address) => seccomp.seccomp_attr_set(address, attr, value)),
    archAdd: (ctx, arch) => withContext(ctx, (address) => seccomp.seccomp_arch_add(address, arch)),
    archNative: () => Number(seccomp.seccomp_arch_native()),
    archResolveName: (name) => Number(seccomp.seccomp_arch_resolve_name(cString(name))),
    syscallResolveName: (arch, name) => Number(seccomp.seccomp_syscall_resolve_name_arch(arch, cString(name))),
    syscallResolveNum: (arch, num) => {
      const address = BigInt(seccomp.seccomp_syscall_resolve_num_arch(arch, num))
      if (address === 0n) return undefined
      try {
        return copyString(c, address)
      } finally {
        c.free(address)
      }
    },
    ruleAdd: (ctx, action, syscall, args) => {
      const encoded = encodeArgs(args)
      if (encoded === undefined) return -EINVAL
      return withContext(ctx, (address) =>
        seccomp.seccomp_rule_add_array(address, action, syscall, args.length, args.length === 0 ? null : encoded))
    },
    exportBpf: (ctx) => exportToMemory(ctx, "kakoi-seccomp-bpf", seccomp.seccomp_export_bpf),
    exportPfc: (ctx) => {
      const bytes = exportToMemory(ctx, "kakoi-seccomp-pfc", seccomp.seccomp_export_pfc)
      return typeof bytes === "number" ? bytes : new TextDecoder().decode(bytes)
    }
  }
}

/**
 * Opens libseccomp with `open` (which throws the runtime's loader error),
 * failing with a `NativeLibraryError` that says what to install. `missingSymbol`
 * picks the symbol out of the runtime's message when the library loaded but
 * lacks a function.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { makeLibseccomp } from "./libseccomp.ts"
 *
 * const missing = makeLibseccomp("libseccomp.so.2", () => { throw new Error("libseccomp.so.2: cannot open shared object file") }, () => undefined)
 * Effect.runSync(Effect.flip(missing)).problem // "not-installed"
 * const jitOff = makeLibseccomp("libseccomp.so.2", () => { throw new Error("bun:ffi requires the JIT") }, () => undefined)
 * Effect.runSync(Effect.flip(jitOff)).problem // "load-failed"
 * ```
 */
export const makeLibseccomp = (
  file: string,
  open: (file: string) => SeccompLibraryShape,
  missingSymbol: (message: string) => string | undefined
): Effect.Effect<SeccompLibraryShape, NativeLibraryError> =>
  Effect.try({
    try: () => open(file),
    catch: (cause) => {
      const detail = cause instanceof Error ? cause.message : String(cause)
      const symbol = missingSymbol(detail)
      // Only a file the loader did not find is "not installed": anything else (bun:ffi with the JIT off, a file
      // that is no shared object) would send the user to install what is there.
      if (symbol === undefined && !notFound.test(detail)) {
        return new NativeLibraryError({ library: "libseccomp", file, problem: "load-failed", remedy: loadFailedRemedy, detail })
      }
      return symbol === undefined
        ? new NativeLibraryError({ library: "libseccomp", file, problem: "not-installed", remedy: `install it ${installWith}`, detail })
        : new NativeLibraryError({
          library: "libseccomp",
          file,
          problem: "missing-symbol",
          symbol,
          remedy: `install libseccomp 2.5 or later ${installWith}`,
          detail
        })
    }
  })
