/**
 * Loads koffi, the FFI of kakoi on Node, quickly.
 *
 * koffi's own entry spends 10-25 ms here before it loads its native module
 * (it copies node:util's exports, which makes Node load a dozen internal
 * modules, and reads Node's ELF headers to choose its glibc or musl build):
 * half of what `kakoi run` may take on top of Node's start. So kakoi loads that
 * native module itself from koffi's prebuilt package for this platform (a
 * dependency of koffi, installed beside it), the glibc build, as kakoi's libc
 * binding is glibc's `libc.so.6` anyway, and only when the module is the
 * version of the koffi package it belongs to; a koffi the process has loaded
 * already is used as it is. Anything else (another layout,
 * a version mismatch, a build that does not load) goes through koffi's entry,
 * which is what the fast path gives too: koffi's exports are its native
 * module's, and koffi's wrappers only add deprecated aliases kakoi never calls.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

type Koffi = typeof import("koffi")

/**
 * The koffi folder Node's lookup finds first from `from`: the nearest node_modules/koffi of `from`'s folder
 * or an ancestor's. Found by hand, as `require.resolve` would take 1.5 ms more to read koffi's exports map.
 * Its real path, as Node keys its module cache (node_modules or koffi a symlink, as pnpm and linked
 * checkouts make them, otherwise missed a koffi loaded already and loaded a second one).
 */
const koffiFolder = (from: string): string | undefined => {
  for (let folder = dirname(from); ; folder = dirname(folder)) {
    const candidate = join(folder, "node_modules/koffi")
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate)
    if (dirname(folder) === folder) return undefined
  }
}

/** koffi's native module, loaded from its prebuilt package, or undefined where that is not possible. */
const prebuilt = (resolveFrom: string): Koffi | undefined => {
  try {
    const koffiDir = koffiFolder(resolveFrom.startsWith("file:") ? fileURLToPath(resolveFrom) : resolveFrom)
    if (koffiDir === undefined) return undefined
    // Loaded already (by the application, say): that koffi, not a second instance of its native module.
    const loaded = createRequire(resolveFrom).cache[join(koffiDir, "index.cjs")]?.exports as Koffi | undefined
    if (loaded !== undefined) return loaded
    const { version } = JSON.parse(readFileSync(join(koffiDir, "package.json"), "utf8")) as { readonly version: string }
    const module = { exports: {} as Koffi }
    process.dlopen(module, join(koffiDir, `../@koromix/koffi-${process.platform}-${process.arch}/${process.platform}_${process.arch}/koffi.node`))
    return module.exports.version === version ? module.exports : undefined
  } catch {
    return undefined
  }
}

/**
 * koffi, as resolved from the module at `resolveFrom` (a file URL or path).
 *
 * @example
 * ```ts
 * import { loadKoffi } from "./koffi-load.ts"
 *
 * const koffi = loadKoffi(import.meta.url)
 * const libc = koffi.load("libc.so.6")
 * ```
 */
export const loadKoffi = (resolveFrom: string): Koffi => prebuilt(resolveFrom) ?? (createRequire(resolveFrom)("koffi") as Koffi)
