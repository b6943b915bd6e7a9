/** The native launcher conformance suite on Deno. */
import { run, spawn, supervise } from "../../adapters/deno/mod.ts"
import { kakoiRunFixture } from "../conformance/inherit.ts"
import { nativeLauncherSuite } from "../conformance/native-launcher.ts"

nativeLauncherSuite({
  runtime: "Deno",
  adapter: "deno",
  run,
  spawn,
  supervise,
  supervisor: (mode) => [Deno.execPath(), "run", "--no-prompt", "--allow-ffi", "--allow-run", "--allow-read", "--allow-env", kakoiRunFixture, "deno", mode]
})
