/** The libseccomp binding conformance suite on Bun (bun:ffi), and what Bun with its JIT off is told. */
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { make } from "../../adapters/bun/libseccomp.ts"
import { libseccompSuite } from "../conformance/libseccomp.ts"

libseccompSuite("bun:ffi", make)

// bun:ffi refuses to bind anything with the JIT off: libseccomp is installed, and the error must not say otherwise.
it("tells a Bun with its JIT off why libseccomp cannot be loaded, not to install it", () => {
  const root = fileURLToPath(new URL("../../mod.ts", import.meta.url))
  const script = `import { loadPolicy, policy } from ${JSON.stringify(root)}
try { await loadPolicy(policy({ default: "allow", rules: [] })); console.log("loaded") } catch (error) { console.log(error.problem, error.message) }`
  const result = Bun.spawnSync([process.execPath, "-e", script], { env: { ...process.env, BUN_JSC_useJIT: "0" } })
  expect(result.stdout.toString().trim()).toBe(
    `load-failed libseccomp ("libseccomp.so.2") could not be loaded: bun:ffi requires the JIT: the runtime's FFI must be able to load it (on Bun, do not turn the JIT off: bun:ffi needs it)`
  )
})
