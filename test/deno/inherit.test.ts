/** The inherited-state conformance suite on Deno (--allow-read only for the fixture's dynamic imports). */
import { inheritSuite, kakoiRunFixture } from "../conformance/inherit.ts"

inheritSuite({
  runtime: "Deno",
  supervisor: (mode) => [Deno.execPath(), "run", "--no-prompt", "--allow-ffi", "--allow-run", "--allow-read", "--allow-env", kakoiRunFixture, "deno", mode],
  runtimeKeepsIgnoredSignals: true
})
