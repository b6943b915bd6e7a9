/**
 * The libseccomp port on Node: adapters/shared/libseccomp.ts's prototypes
 * bound with koffi to libseccomp.so.2.
 *
 * The library is opened when the layer is built, never at import, so importing
 * kakoi on a machine without libseccomp only fails once seccomp is used, and
 * then with a `NativeLibraryError` that says what to install.
 */
import { Effect, Layer } from "effect"
import type { NativeLibraryError } from "../../core/native-error.ts"
import type { SeccompLibraryShape } from "../../plugins/seccomp/library.ts"
import { SeccompLibrary } from "../../plugins/seccomp/library.ts"
import { libseccompFile, libseccompFrom, libseccompSignatures, makeLibseccomp } from "../shared/libseccomp.ts"
import { koffi, koffiBind, nodeLibc } from "./native.ts"

export { libseccompFile }

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
  makeLibseccomp(file, (path) => libseccompFrom(koffiBind(koffi.load(path), libseccompSignatures), nodeLibc()), missingSymbol)

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
