/**
 * Where Node's launchers keep their compile cache. Each launcher is a fresh
 * Node process that loads kakoi's launcher modules (and, from the sources,
 * strips their types): with V8's code cache on disk it starts about twice as
 * fast. The directory is the user's own (0700), not a shared temp dir, since
 * whoever can write the cache decides what the launcher runs.
 */
import { mkdirSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"

const directory = (): string | undefined => {
  const base = process.env.XDG_CACHE_HOME ?? (homedir() === "" ? undefined : join(homedir(), ".cache"))
  if (base === undefined) return undefined
  const path = join(base, "kakoi", "node-compile-cache")
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 })
    return path
  } catch {
    // No writable cache: launchers still start, only slower.
    return undefined
  }
}

let cached: { readonly path: string | undefined } | undefined

/**
 * The launcher's environment: only `NODE_COMPILE_CACHE` when a private cache
 * directory is available, else nothing. The target never sees it: it gets the
 * job's environment through execve.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [launcherPath], { env: launcherEnvironment() })
 * ```
 */
export const launcherEnvironment = (): Record<string, string> => {
  cached ??= { path: directory() }
  return cached.path === undefined ? {} : { NODE_COMPILE_CACHE: cached.path }
}
