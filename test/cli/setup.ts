/**
 * Vitest global setup (Node runs only): builds the shipped CLI bundles once per
 * test run with the package's own build (scripts/build-cli.ts and
 * scripts/build-cli-cache.ts), so the CLI
 * tests run what users run, built from the sources under test, never a stale
 * dist/. The folder is inside the checkout (test/.build) so the bundles find
 * koffi in its node_modules as they do in an installed package.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder the CLI bundles were built into (its cli/bin.js is the `kakoi` command). */
    readonly kakoiBuild: string
  }
}

const root = join(import.meta.dirname, "../..")

export default (project: TestProject): (() => void) => {
  mkdirSync(join(root, "test/.build"), { recursive: true })
  const build = mkdtempSync(join(root, "test/.build/cli-"))
  const result = spawnSync(join(root, "node_modules/.bin/bun"), [join(root, "scripts/build-cli.ts"), build], { encoding: "utf8" })
  if (result.status !== 0) throw new Error(`Building the CLI bundles failed (${result.status ?? result.signal}): ${result.stderr}${result.error?.message ?? ""}`)
  // Their code caches for the Node that runs the CLI tests, as the package's build makes them for its Node.
  const cached = spawnSync(process.execPath, [join(root, "scripts/build-cli-cache.ts"), build], { encoding: "utf8" })
  if (cached.status !== 0) throw new Error(`Making the CLI bundles' code caches failed (${cached.status ?? cached.signal}): ${cached.stderr}${cached.error?.message ?? ""}`)
  project.provide("kakoiBuild", build)
  return () => rmSync(build, { recursive: true, force: true })
}
