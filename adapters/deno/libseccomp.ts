/**
 * The libseccomp port on Deno: adapters/shared/libseccomp.ts's prototypes
 * bound with Deno.dlopen to libseccomp.so.2 (needs --allow-ffi). The library
 * is opened when the layer is built, never at import; a missing one is a
 * `NativeLibraryError`, a missing permission a `DenoPermissionError`.
 */
import { Effect, Layer } from "effect"
import type { NativeLibraryError } from "../../core/native-error.ts"
import { SeccompLibrary, type SeccompLibraryShape } from "../../plugins/seccomp/library.ts"
import { libseccompFile, libseccompFrom, libseccompSignatures, makeLibseccomp } from "../shared/libseccomp.ts"
import { denoBind, denoLibc } from "./native.ts"
import { requirePermissions, type DenoPermissionError } from "./permissions.ts"

/** Deno reports a missing symbol as `Failed to register symbol name: ...`. */
const missingSymbol = (message: string): string | undefined => /Failed to register symbol ([\w$]+)/.exec(message)?.[1]

/**
 * Binds libseccomp with Deno.dlopen, failing with a `NativeLibraryError` when
 * it is not installed or lacks a function kakoi calls.
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
export const make = (file: string = libseccompFile): Effect.Effect<SeccompLibraryShape, NativeLibraryError | DenoPermissionError> =>
  Effect.andThen(
    requirePermissions(["ffi"]),
    makeLibseccomp(file, (path) => libseccompFrom(denoBind(path, libseccompSignatures), denoLibc()), missingSymbol)
  )

/**
 * The `SeccompLibrary` service on Deno.
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
export const layer: Layer.Layer<SeccompLibrary, NativeLibraryError | DenoPermissionError> = Layer.effect(SeccompLibrary, make())

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
export const layerFrom = (file: string): Layer.Layer<SeccompLibrary, NativeLibraryError | DenoPermissionError> =>
  Layer.effect(SeccompLibrary, make(file))
