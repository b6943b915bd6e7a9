import { defineConfig, type ViteUserConfig } from "vitest/config"

const config: ViteUserConfig = defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Forks, not threads: a child's parent-death signal follows the thread that spawned it.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})

export default config
