/**
 * Loads a subcommand's bundle in the built CLI (dist/cli/run.js, ...), with
 * the V8 code cache the build made for it when this Node can use it.
 *
 * Most of `kakoi run`'s start-up was V8 compiling code: the bundle's top level
 * at load, then each function on its first call. The build runs every bundle
 * once and saves the compiled code beside it (`run.js.cache`, see
 * scripts/build-cli-cache.ts); loading that skips the compiling. A bundle is a
 * CommonJS-shaped script (not an ES module) because only scripts take a cache
 * from a file. The cache is part of the package: written by the build only,
 * never by kakoi at run time, in no folder but the bundle's own, so whoever can
 * change it could change the bundle itself. It starts with the SHA-256 of the
 * bundle it was made from, and is used only where that is the digest the build
 * wrote into the dispatcher for the bundle (so a cache left from another build
 * is not taken, and nothing is hashed at start-up); V8 rejects it for another
 * V8 or other flags, and the bundle then compiles as usual.
 *
 * The build writes bundles in ASCII (non-ASCII characters as \u escapes), so
 * they are read as Latin-1: a one-byte string, with no UTF-8 decoding.
 */
import type { Script } from "node:vm"

// Node's built-in modules as CommonJS hands them out: an ES import of each would
// first build its ES module facade, 8 ms of the dispatcher's start for these five.
const { existsSync, readFileSync } = process.getBuiltinModule("node:fs")
const { createRequire } = process.getBuiltinModule("node:module")
const { dirname } = process.getBuiltinModule("node:path")
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule("node:url")
const vm = process.getBuiltinModule("node:vm")

/** The bytes of a cache file before V8's own data: the bundle's SHA-256 (cli/bundle-digest.ts). */
const digestLength = 32

/** A bundle's cache file: where the build writes it and the loader reads it. */
export const cachePath = (bundle: string): string => `${bundle}.cache`

/** A bundle compiled and run: its exports, and the script (to make a cache from). */
export interface LoadedBundle {
  readonly exports: Record<string, unknown>
  readonly script: Script
  /** Whether V8 took the cache: false with none, one made from other bytes, or one V8 refused. */
  readonly cached: boolean
}

/** V8's part of `bundle`'s cache file, if there is one made from the bundle whose digest is `digest` (hex). */
const cacheFor = (bundle: string, digest: string): Buffer | undefined => {
  const file = cachePath(bundle)
  if (!existsSync(file)) return undefined
  const cache = readFileSync(file)
  return cache.subarray(0, digestLength).toString("hex") === digest ? cache.subarray(digestLength) : undefined
}

/**
 * Compile and run the bundle at `bundle` (a path), with its cache if `digest`
 * (the bundle's SHA-256 in hex, as the build wrote it) is the one the cache was
 * made from; with no digest, no cache (the build compiles so to make one).
 *
 * @example
 * ```ts
 * import { compileBundle } from "./bundle-loader.ts"
 *
 * declare const digest: string // written into dist/cli/bin.js by the build
 * const { exports, cached } = compileBundle("/usr/lib/node_modules/kakoi/dist/cli/run.js", digest)
 * console.log(typeof exports["runCommand"], cached) // "function" true
 * ```
 */
export const compileBundle = (bundle: string, digest?: string): LoadedBundle => {
  const source = readFileSync(bundle, "latin1")
  const cachedData = digest === undefined ? undefined : cacheFor(bundle, digest)
  // The wrapper starts on the bundle's first line, so line numbers in stack traces stay the bundle's.
  // __kakoiBundleUrl is the script's import.meta.url (scripts/build-cli.ts puts it where sources read that).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __kakoiBundleUrl) {${source}\n})`, {
    filename: bundle,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER
  })
  const module = { exports: {} as Record<string, unknown> }
  const body = script.runInThisContext() as (...args: ReadonlyArray<unknown>) => void
  body(module.exports, createRequire(bundle), module, bundle, dirname(bundle), pathToFileURL(bundle).href)
  return { exports: module.exports, script, cached: cachedData !== undefined && script.cachedDataRejected !== true }
}

/**
 * The exports of the subcommand bundle `name` (run, learn, ...) beside the
 * CLI's own bundle, whose digest the build found to be `digest`.
 *
 * @example
 * ```ts
 * import { loadBundle } from "./bundle-loader.ts"
 *
 * declare const digest: string // written into dist/cli/bin.js by the build
 * const run = loadBundle("run", digest) // dist/cli/run.js, next to dist/cli/bin.js
 * ```
 */
export const loadBundle = (name: string, digest: string): Record<string, unknown> =>
  compileBundle(fileURLToPath(new URL(`./${name}.js`, import.meta.url)), digest).exports
