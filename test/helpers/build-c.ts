/** Builds a C fixture with the system compiler; gcc is part of this machine kind, so its absence fails the test. */
import { execFileSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"

/**
 * Compile `source` (plus extra inputs such as a shared library) into a fresh temp dir; returns the binary's path.
 * `compiler`: another gcc, e.g. "aarch64-linux-gnu-gcc" (Debian package gcc-aarch64-linux-gnu) for a cross build.
 */
export const buildC = (source: string, extra: ReadonlyArray<string> = [], compiler = "gcc"): string => {
  const binary = join(mkdtempSync(join(tmpdir(), "kakoi-c-")), basename(source, ".c"))
  try {
    execFileSync(compiler, ["-O1", "-o", binary, source, ...extra], { stdio: ["ignore", "ignore", "pipe"] })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${compiler} is required to build "${source}": install it with "apt-get install ${compiler === "gcc" ? "gcc" : `gcc-${compiler.replace(/-gcc$/, "")}`}"`)
    }
    throw new Error(`Cannot build "${source}": ${String((error as { stderr?: unknown }).stderr ?? error)}`)
  }
  return binary
}
