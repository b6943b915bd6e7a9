/**
 * The SHA-256 of a CLI bundle's bytes, which heads its code cache file and is
 * written into the dispatcher by the build (cli/bundle-loader.ts says why):
 * computed at build time only, so starting the CLI loads no hashing code.
 */
import { createHash } from "node:crypto"

/**
 * The digest of a bundle's source, as hex.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs"
 * import { bundleDigest } from "./bundle-digest.ts"
 *
 * const digest = bundleDigest(readFileSync("dist/cli/run.js")) // 64 hex digits
 * ```
 */
export const bundleDigest = (source: Uint8Array): string => createHash("sha256").update(source).digest("hex")
