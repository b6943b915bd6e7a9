/**
 * The libseccomp port on Node: `SeccompLibraryShape` bound with koffi to
 * libseccomp.so.2 (plus three libc calls it needs: free, memfd_create, close).
 *
 * The library is opened when the layer is built, never at import, so importing
 * kakoi on a machine without libseccomp only fails once seccomp is used, and
 * then with a `NativeLibraryError` that says what to install.
 */
import { closeSync, fstatSync, readSync } from "node:fs"
import { createRequire } from "node:module"
import { Effect, Layer } from "effect"
import { NativeLibraryError } from "../../core/native-error.ts"
import type { ArgComparison, FilterContext, SeccompLibraryShape } from "../../plugins/seccomp/library.ts"
import { SeccompLibrary } from "../../plugins/seccomp/library.ts"

type Koffi = typeof import("koffi")
const koffi: Koffi = createRequire(import.meta.url)("koffi")

const MFD_CLOEXEC = 1
const EINVAL = 22
const EIO = 5
/** sizeof(struct scmp_arg_cmp) on every 64-bit ABI: u32 arg, u32 op, u64 datum_a, u64 datum_b. */
const argCmpSize = 24
const u32Max = 0xffff_ffff
const u64Limit = 1n << 64n

/**
 * The soname kakoi opens by default; the dynamic loader finds it on every distribution's path.
 *
 * @example
 * ```ts
 * import { libseccompFile, make } from "./libseccomp.ts"
 *
 * const library = make(libseccompFile)
 * ```
 */
export const libseccompFile = "libseccomp.so.2"

const installWith = 'with "apt-get install libseccomp2" (Debian/Ubuntu) or "dnf install libseccomp" (Fedora)'

/** A context handle; `pointer` is cleared on release so a second release or a late call cannot touch freed memory. */
interface Handle extends FilterContext {
  pointer: bigint | undefined
}

/** Contexts this binding made; anything else is refused instead of being passed to C as a pointer. */
const handles = new WeakSet<FilterContext>()
const isHandle = (ctx: FilterContext): ctx is Handle => handles.has(ctx)

const pointerOf = (ctx: FilterContext): bigint | undefined => (isHandle(ctx) ? ctx.pointer : undefined)

const isU32 = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= u32Max
const isU64 = (value: bigint): boolean => value >= 0n && value < u64Limit

/** Encodes the comparisons as a C array of `struct scmp_arg_cmp`, or undefined when a field does not fit its C type. */
const encodeArgs = (args: ReadonlyArray<ArgComparison>): Buffer | undefined => {
  const buffer = Buffer.alloc(argCmpSize * args.length)
  for (const [index, cmp] of args.entries()) {
    // C would silently truncate these; an out-of-range value is a caller bug, so refuse it.
    if (!isU32(cmp.arg) || !isU32(cmp.op) || !isU64(cmp.a) || !isU64(cmp.b)) return undefined
    const offset = argCmpSize * index
    buffer.writeUInt32LE(cmp.arg, offset)
    buffer.writeUInt32LE(cmp.op, offset + 4)
    buffer.writeBigUInt64LE(cmp.a, offset + 8)
    buffer.writeBigUInt64LE(cmp.b, offset + 16)
  }
  return buffer
}

/** Node's fs errors carry a negative `errno`; keep the port's 0-or-minus-errno contract. */
const errnoOf = (error: unknown): number => {
  const errno = (error as { errno?: unknown } | null)?.errno
  return typeof errno === "number" && errno < 0 ? errno : -EIO
}

/** Reads a whole file descriptor from offset 0 (the export left the file offset at its end). */
const readAll = (fd: number): Uint8Array => {
  const size = fstatSync(fd).size
  const bytes = new Uint8Array(size)
  let done = 0
  while (done < size) {
    const count = readSync(fd, bytes, done, size - done, done)
    if (count === 0) break
    done += count
  }
  return bytes.subarray(0, done)
}

/**
 * Opens libseccomp and libc and binds every call of the port. Throws koffi's
 * errors; `make` turns them into `NativeLibraryError`.
 */
const bind = (file: string): SeccompLibraryShape => {
  const lib = koffi.load(file)
  const libc = koffi.load("libc.so.6")
  const Version = koffi.struct({ major: "uint", minor: "uint", micro: "uint" })

  const version = lib.func("void *seccomp_version(void)")
  const init = lib.func("void *seccomp_init(uint32_t)")
  const release = lib.func("void seccomp_release(void *)")
  const attrSet = lib.func("int seccomp_attr_set(void *, int, uint32_t)")
  const archAdd = lib.func("int seccomp_arch_add(void *, uint32_t)")
  const archNative = lib.func("uint32_t seccomp_arch_native(void)")
  const archResolveName = lib.func("uint32_t seccomp_arch_resolve_name(const char *)")
  const syscallResolveName = lib.func("int seccomp_syscall_resolve_name_arch(uint32_t, const char *)")
  // Declared as void * (not str) so we keep the pointer and can free it.
  const syscallResolveNum = lib.func("void *seccomp_syscall_resolve_num_arch(uint32_t, int)")
  const ruleAddArray = lib.func("int seccomp_rule_add_array(void *, uint32_t, int, unsigned int, const uint8_t *)")
  const exportBpf = lib.func("int seccomp_export_bpf(void *, int)")
  const exportPfc = lib.func("int seccomp_export_pfc(void *, int)")
  const free = libc.func("void free(void *)")
  const memfdCreate = libc.func("int memfd_create(const char *, unsigned int)")

  /** Runs a libseccomp export into a fresh memfd and returns the fd's bytes, or -errno. */
  const exportToMemory = (ctx: FilterContext, name: string, exporter: (ctx: bigint, fd: number) => number): Uint8Array | number => {
    const pointer = pointerOf(ctx)
    if (pointer === undefined) return -EINVAL
    const fd: number = memfdCreate(name, MFD_CLOEXEC)
    if (fd < 0) return -koffi.errno()
    try {
      const result = exporter(pointer, fd)
      return result < 0 ? result : readAll(fd)
    } catch (error) {
      return errnoOf(error)
    } finally {
      closeSync(fd)
    }
  }

  return {
    version: () => {
      const { major, minor, micro } = koffi.decode(version(), Version) as { major: number; minor: number; micro: number }
      return { major, minor, micro }
    },
    init: (defaultAction) => {
      const pointer: bigint | null = init(defaultAction)
      if (pointer === null) return undefined
      const handle: Handle = { _brand: "scmp_filter_ctx", pointer }
      handles.add(handle)
      return handle
    },
    release: (ctx) => {
      if (!isHandle(ctx) || ctx.pointer === undefined) return
      release(ctx.pointer)
      ctx.pointer = undefined
    },
    attrSet: (ctx, attr, value) => {
      const pointer = pointerOf(ctx)
      return pointer === undefined ? -EINVAL : attrSet(pointer, attr, value)
    },
    archAdd: (ctx, arch) => {
      const pointer = pointerOf(ctx)
      return pointer === undefined ? -EINVAL : archAdd(pointer, arch)
    },
    archNative: () => archNative(),
    archResolveName: (name) => archResolveName(name),
    syscallResolveName: (arch, name) => syscallResolveName(arch, name),
    syscallResolveNum: (arch, num) => {
      const pointer: bigint | null = syscallResolveNum(arch, num)
      if (pointer === null) return undefined
      try {
        return koffi.decode.string(pointer)
      } finally {
        free(pointer)
      }
    },
    ruleAdd: (ctx, action, syscall, args) => {
      const pointer = pointerOf(ctx)
      const encoded = encodeArgs(args)
      if (pointer === undefined || encoded === undefined) return -EINVAL
      return ruleAddArray(pointer, action, syscall, args.length, args.length === 0 ? null : encoded)
    },
    exportBpf: (ctx) => exportToMemory(ctx, "kakoi-seccomp-bpf", exportBpf),
    exportPfc: (ctx) => {
      const bytes = exportToMemory(ctx, "kakoi-seccomp-pfc", exportPfc)
      return typeof bytes === "number" ? bytes : new TextDecoder().decode(bytes)
    }
  }
}

/** koffi reports a missing symbol as `Cannot find function 'name' in shared library`. */
const missingSymbol = (message: string): string | undefined => /Cannot find function '([^']+)'/.exec(message)?.[1]

/**
 * Binds libseccomp, failing with a `NativeLibraryError` when it is not installed
 * or lacks a function kakoi calls. `file` overrides the soname (for tests or an
 * unusual install).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { make } from "./libseccomp.ts"
 *
 * const library = Effect.runSync(make())
 * library.syscallResolveName(library.archNative(), "mkdir") // 83 on x86_64
 * ```
 */
export const make = (file: string = libseccompFile): Effect.Effect<SeccompLibraryShape, NativeLibraryError> =>
  Effect.try({
    try: () => bind(file),
    catch: (cause) => {
      const detail = cause instanceof Error ? cause.message : String(cause)
      const symbol = missingSymbol(detail)
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

/**
 * The `SeccompLibrary` service on Node. Building it opens libseccomp.so.2; it
 * fails with `NativeLibraryError` (not a defect) when the library is missing,
 * so callers can report the install command instead of a stack trace.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SeccompLibrary } from "../../plugins/seccomp/library.ts"
 * import { layer } from "./libseccomp.ts"
 *
 * const program = SeccompLibrary.useSync((library) => library.version())
 * Effect.runSync(Effect.provide(program, layer)) // { major: 2, minor: 5, micro: 4 }
 * ```
 */
export const layer: Layer.Layer<SeccompLibrary, NativeLibraryError> = Layer.effect(SeccompLibrary, make())

/**
 * The same service bound to a specific file instead of the soname.
 *
 * @example
 * ```ts
 * import { layerFrom } from "./libseccomp.ts"
 *
 * const custom = layerFrom("/opt/libseccomp/lib/libseccomp.so.2")
 * ```
 */
export const layerFrom = (file: string): Layer.Layer<SeccompLibrary, NativeLibraryError> =>
  Layer.effect(SeccompLibrary, make(file))
