import { defineConfig, type ViteUserConfig } from "vitest/config"

/**
 * The same config serves `vitest run` (Node), `bun node_modules/vitest/vitest.mjs run`
 * and `deno run -A node_modules/vitest/vitest.mjs run`. Under Deno and Bun only
 * that runtime's folder runs (it calls the shared suites in test/conformance);
 * under Node everything else does.
 */
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node"

const config: ViteUserConfig = defineConfig({
  test: {
    include: runtime === "node" ? ["test/**/*.test.ts"] : [`test/${runtime}/**/*.test.ts`],
    exclude: ["**/node_modules/**", "test/deno/**", "test/bun/**"].filter((pattern) => pattern !== `test/${runtime}/**`),
    // Forks, not threads: a child's parent-death signal follows the thread that spawned it.
    pool: "forks",
    // The CLI tests run the shipped bundles, built from these sources once per run.
    globalSetup: runtime === "node" ? ["test/cli/setup.ts"] : [],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})

export default config
