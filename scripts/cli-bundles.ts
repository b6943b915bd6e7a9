/**
 * The subcommand bundles a built dispatcher (OUTDIR/cli/bin.js) loads, each
 * with the digest scripts/build-cli.ts wrote in for it: what the code-cache
 * build and its checks go by, so they cover exactly what the CLI loads.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"

/** A subcommand bundle as the dispatcher names it. */
export interface CliBundle {
  readonly name: string
  /** Its path, beside bin.js. */
  readonly path: string
  /** The SHA-256 (hex) of its bytes at build time. */
  readonly digest: string
}

/**
 * The bundles `cliDir`/bin.js loads, from its `loadBundle("run","<digest>")` calls.
 *
 * @example
 * ```ts
 * import { cliBundles } from "./cli-bundles.ts"
 *
 * for (const { name, digest } of cliBundles("dist/cli")) console.log(name, digest) // "doctor 3f1c...", ...
 * ```
 */
export const cliBundles = (cliDir: string): Array<CliBundle> => {
  const dispatcher = join(cliDir, "bin.js")
  const bundles = [...readFileSync(dispatcher, "latin1").matchAll(/loadBundle\("([\w-]+)",\s*"([0-9a-f]{64})"\)/g)].map(
    ([, name = "", digest = ""]) => ({ name, path: join(cliDir, `${name}.js`), digest })
  )
  if (bundles.length === 0) throw new Error(`${dispatcher} loads no bundle: is it a build of scripts/build-cli.ts?`)
  return bundles
}
