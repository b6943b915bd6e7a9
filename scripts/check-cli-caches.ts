/**
 * Checks a built CLI's code caches: `node scripts/check-cli-caches.ts DIR`
 * (DIR holds bin.js and the bundles) fails unless this Node takes each
 * bundle's cache (made from that bundle's bytes, for this V8). The caches are
 * not byte-reproducible (scripts/build-cli-cache.ts), so this is their check.
 */
import { compileBundle } from "../cli/bundle-loader.ts"
import { cliBundles } from "./cli-bundles.ts"

const [cliDir] = process.argv.slice(2)
if (cliDir === undefined) {
  console.error("usage: node scripts/check-cli-caches.ts DIR")
  process.exit(2)
}
const refused = cliBundles(cliDir).filter(({ path, digest }) => !compileBundle(path, digest).cached)
if (refused.length > 0) {
  console.error(`check-cli-caches: Node ${process.version} does not take the code cache of ${refused.map(({ path }) => path).join(", ")}; rebuild with scripts/build-cli-cache.ts on this Node`)
  process.exit(1)
}
