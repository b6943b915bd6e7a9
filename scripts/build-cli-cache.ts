/**
 * Makes the V8 code cache of each subcommand bundle of the built CLI:
 * `node scripts/build-cli-cache.ts OUTDIR`, after `bun scripts/build-cli.ts
 * OUTDIR`, writes OUTDIR/cli/run.js.cache and the others (the format, and why
 * it is safe to ship, in cli/bundle-loader.ts). It must run on the Node that
 * will run the CLI (V8 refuses another version's cache): the package's build
 * runs it on the pinned Node, the CLI tests on theirs.
 *
 * A cache holds the code compiled when it is made, so `run` is first run for
 * real here, as `kakoi run -- /bin/true` and with an errno policy (each
 * function that start-up calls is then in it); the other bundles are cached as
 * loaded. If that run fails on this machine (no namespaces, say), the cache
 * still holds what was compiled and the build goes on: a cache only saves time.
 *
 * Unlike the bundles, a cache's bytes are not reproducible (which functions V8
 * has compiled, and in what order, varies from run to run); the CLI tests
 * check instead that V8 takes each one for its bundle.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { bundleDigest } from "../cli/bundle-digest.ts"
import { cachePath, compileBundle, type LoadedBundle } from "../cli/bundle-loader.ts"
import { cliBundles } from "./cli-bundles.ts"

const [outArgument] = process.argv.slice(2)
if (outArgument === undefined) {
  console.error("usage: node scripts/build-cli-cache.ts OUTDIR")
  process.exit(2)
}
const cliOut = join(resolve(outArgument), "cli")
const quiet = { out: () => {}, err: () => {}, bytes: () => {} }

/** The command lines each bundle runs before its cache is made (the rest are cached as loaded). */
const training: Record<string, (bundle: LoadedBundle) => Promise<unknown>> = {
  run: async ({ exports }) => {
    const runCommand = exports["runCommand"] as (args: ReadonlyArray<string>, io: typeof quiet) => Promise<number>
    for (const args of [["--", "/bin/true"], ["--errno", "EPERM:mkdir", "--", "/bin/true"]]) {
      const status = await runCommand(args, quiet).catch(() => -1)
      if (status !== 0) console.error(`build-cli-cache: kakoi run ${args.join(" ")} exited ${status} here; run.js.cache holds what compiled`)
    }
  }
}

for (const { name, path } of cliBundles(cliOut)) {
  // Loading runs the bundle's top level, which needs koffi: OUTDIR must be where the package resolves it.
  const loaded = compileBundle(path)
  await training[name]?.(loaded)
  writeFileSync(cachePath(path), Buffer.concat([Buffer.from(bundleDigest(readFileSync(path)), "hex"), loaded.script.createCachedData()]))
}
