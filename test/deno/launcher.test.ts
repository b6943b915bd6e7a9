/** The launcher conformance suite on Deno. */
import { describe, expect, it } from "vitest"
import { run, spawn } from "../../adapters/deno/mod.ts"
import { launcherSuite } from "../conformance/launcher.ts"
import { webStreams } from "../conformance/streams.ts"

launcherSuite({ runtime: "Deno", run, spawn, streams: webStreams, setEnv: (name, value) => Deno.env.set(name, value), unsetEnv: (name) => Deno.env.delete(name) })

describe("env: Deno.env", () => {
  it("is taken as the variables it holds, not as its methods (get, set, toObject)", async () => {
    Deno.env.set("KAKOI_ENV_PROBE", "from Deno.env")
    try {
      const { stdout } = await run(["sh", "-c", 'echo "$KAKOI_ENV_PROBE"'], { env: Deno.env as unknown as Record<string, string> })
      expect(stdout).toBe("from Deno.env\n")
    } finally {
      Deno.env.delete("KAKOI_ENV_PROBE")
    }
  })
})
