/**
 * The libseccomp port on Bun: adapters/shared/libseccomp.ts's prototypes bound
 * with bun:ffi to libseccomp.so.2. The library is opened when the layer is
 * built, never at import; a missing one is a `NativeLibraryError`.
 */
import { Layer, type Effect } from "effect"
import type { NativeLibraryError } from "../../core/native-error.ts"
import { SeccompLibrary, type SeccompLibraryShape } from "../../plugins/seccomp/library.ts"
import { libseccompFile, libseccompFrom, libseccompSignatures, makeLibseccomp } from "../shared/libseccomp.ts"
import { bunBind, bunLibc } from "./native.ts"

/** Bun reports a missing symbol as `Symbol "name" not found in "file"`. */
const missingSymbol = (message: string): string | undefined => /Symbol "([^"]+)" not found/.exec(message)?.[1]

/**
 * Binds libseccomp with bun:ffi, failing with a `NativeLibraryError` when it is
 * not installed or lacks a function kakoi calls.
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
  makeLibseccomp(file, (path) => libseccompFrom(bunBind(path, libseccompSignatures), bunLibc()), missingSymbol)

/**
 * The `SeccompLibrary` service on Bun.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SeccompLibrary } from "../../plugins/seccomp/library.ts"
 * import { layer } from "./libseccomp.ts"
 *
 * Effect.runSync(Effect.provide(SeccompLibrary.useSync((library) => library.version()), layer))
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
export const layerFrom = (file: string): Layer.Layer<SeccompLibrary, NativeLibraryError> => Layer.effect(SeccompLibrary, make(file))
