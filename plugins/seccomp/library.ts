/**
 * The libseccomp port: the part of libseccomp's C API kakoi uses, bound by each
 * adapter (koffi, Deno.dlopen, bun:ffi). Calls mirror the C functions and
 * return libseccomp's raw result (0 or -errno); compile.ts turns those into
 * typed errors. Contexts are opaque handles owned by the caller.
 */
import { Context } from "effect"

/**
 * An opaque `scmp_filter_ctx`: made by `init`, given back to the other calls,
 * freed by `release`.
 *
 * @example
 * ```ts
 * import type { FilterContext, SeccompLibraryShape } from "kakoi/seccomp"
 *
 * declare const library: SeccompLibraryShape
 * const ctx: FilterContext | undefined = library.init(0x7fff0000) // SCMP_ACT_ALLOW
 * if (ctx !== undefined) library.release(ctx)
 * ```
 */
export interface FilterContext {
  readonly _brand: "scmp_filter_ctx"
}

/**
 * `struct scmp_arg_cmp` (24 bytes: u32 arg, u32 op, u64 datum_a, u64 datum_b).
 *
 * @example
 * ```ts
 * import type { ArgComparison } from "kakoi/seccomp"
 *
 * // Argument 0 equals AF_INET (2): SCMP_CMP_EQ is 4.
 * const isInet: ArgComparison = { arg: 0, op: 4, a: 2n, b: 0n }
 * ```
 */
export interface ArgComparison {
  readonly arg: number
  /** enum scmp_compare: NE 1, LT 2, LE 3, EQ 4, GE 5, GT 6, MASKED_EQ 7. */
  readonly op: number
  readonly a: bigint
  readonly b: bigint
}

/**
 * What a libseccomp binding offers: the C calls kakoi makes, each returning
 * libseccomp's raw result. Adapters implement it over their FFI; tests may
 * wrap the real one.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { SeccompLibrary, type SeccompLibraryShape } from "kakoi/seccomp"
 *
 * // Count seccomp_init calls around the real binding.
 * declare const real: SeccompLibraryShape
 * let inits = 0
 * const counting: SeccompLibraryShape = { ...real, init: (action) => (inits++, real.init(action)) }
 * const testLayer = Layer.succeed(SeccompLibrary, counting)
 * ```
 */
export interface SeccompLibraryShape {
  /** seccomp_version(). */
  readonly version: () => { readonly major: number; readonly minor: number; readonly micro: number }
  /** seccomp_init(); undefined when libseccomp returns NULL. */
  readonly init: (defaultAction: number) => FilterContext | undefined
  readonly release: (ctx: FilterContext) => void
  readonly attrSet: (ctx: FilterContext, attr: number, value: number) => number
  readonly archAdd: (ctx: FilterContext, arch: number) => number
  readonly archNative: () => number
  /** seccomp_arch_resolve_name(); 0 when unknown. */
  readonly archResolveName: (name: string) => number
  /** seccomp_syscall_resolve_name_arch(); negative (__NR_SCMP_ERROR) when unknown. */
  readonly syscallResolveName: (arch: number, name: string) => number
  /** seccomp_syscall_resolve_num_arch(); undefined when unknown. Frees libseccomp's string. */
  readonly syscallResolveNum: (arch: number, num: number) => string | undefined
  /** seccomp_rule_add_array(). */
  readonly ruleAdd: (ctx: FilterContext, action: number, syscall: number, args: ReadonlyArray<ArgComparison>) => number
  /** seccomp_export_bpf() into memory (via a memfd): the raw filter, or -errno. */
  readonly exportBpf: (ctx: FilterContext) => Uint8Array | number
  /** seccomp_export_pfc() into memory: libseccomp's pseudo-filter-code text, or -errno. */
  readonly exportPfc: (ctx: FilterContext) => string | number
}

// The named base keeps the class's type explicit under isolatedDeclarations; the
// class makes the tag nominal: a requirement on SeccompLibrary is met only by
// this service, never by some other service of the same shape.
const SeccompLibraryBase: Context.ServiceClass<SeccompLibrary, "kakoi/SeccompLibrary", SeccompLibraryShape> =
  Context.Service<SeccompLibrary, SeccompLibraryShape>()("kakoi/SeccompLibrary")

/**
 * The libseccomp binding of the runtime kakoi runs in, as an Effect service
 * (the tag, and in requirement types the identifier): every adapter's `layer`
 * provides it (`kakoi`, `kakoi/node`, `kakoi/deno`, `kakoi/bun`); a test can
 * provide its own `SeccompLibraryShape`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SeccompLibrary } from "kakoi/seccomp"
 *
 * const version: Effect.Effect<string, never, SeccompLibrary> = Effect.gen(function*() {
 *   const library = yield* SeccompLibrary
 *   const { major, minor } = library.version()
 *   return `${major}.${minor}`
 * })
 * ```
 */
export class SeccompLibrary extends SeccompLibraryBase {}
