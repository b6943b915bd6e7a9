/**
 * The error every runtime adapter raises when a native library it binds cannot
 * be used: not installed, or too old to have a symbol kakoi calls. It lives in
 * core so the Node, Deno and Bun adapters report the same thing the same way.
 */
import type { Cause } from "effect"
import { Data } from "effect"

/**
 * Why a native library could not be bound.
 *
 * @example
 * ```ts
 * import type { NativeLibraryProblem } from "./native-error.ts"
 *
 * const problem: NativeLibraryProblem = "not-installed"
 * ```
 */
export type NativeLibraryProblem =
  /** dlopen failed: the shared object is not on this system. */
  | "not-installed"
  /** The library loaded but lacks a symbol kakoi needs (an older version). */
  | "missing-symbol"
  /** It is there, or may be, but the runtime could not load or bind it (its FFI is off, the file is no shared object): `detail` says why. */
  | "load-failed"

interface NativeLibraryErrorFields {
  /** The library as people know it, e.g. "libseccomp". */
  readonly library: string
  /** The file kakoi tried to open, e.g. "libseccomp.so.2". */
  readonly file: string
  readonly problem: NativeLibraryProblem
  /** The symbol, for "missing-symbol". */
  readonly symbol?: string | undefined
  /** What to run to get the library, e.g. `install it with "apt-get install libseccomp2"`. */
  readonly remedy: string
  /** The runtime's own loader message, kept for debugging. */
  readonly detail?: string | undefined
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const NativeLibraryErrorBase: new (args: NativeLibraryErrorFields) => Cause.YieldableError & {
  readonly _tag: "NativeLibraryError"
} & Readonly<NativeLibraryErrorFields> = Data.TaggedError("NativeLibraryError")

/**
 * A native library kakoi needs cannot be used; the message says what to install.
 *
 * @example
 * ```ts
 * import { NativeLibraryError } from "./native-error.ts"
 *
 * const error = new NativeLibraryError({
 *   library: "libseccomp", file: "libseccomp.so.2", problem: "not-installed",
 *   remedy: 'install it with "apt-get install libseccomp2" (Debian/Ubuntu)'
 * })
 * error.message // 'libseccomp is not installed: install it with "apt-get install libseccomp2" (Debian/Ubuntu)'
 * ```
 */
export class NativeLibraryError extends NativeLibraryErrorBase {
  override get message(): string {
    switch (this.problem) {
      case "not-installed":
        // A path the caller gave is what was not found: say so, it may be a typo rather than a missing package.
        return this.file.includes("/") ? `${this.library} was not found at "${this.file}": check the path, or ${this.remedy}` : `${this.library} is not installed: ${this.remedy}`
      case "missing-symbol":
        return `${this.library} is too old: "${this.file}" has no "${this.symbol ?? "?"}": ${this.remedy}`
      case "load-failed":
        return `${this.library} ("${this.file}") could not be loaded: ${this.detail ?? "no reason given"}: ${this.remedy}`
    }
  }
}
