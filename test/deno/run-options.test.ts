/** The run/spawn options conformance suite on Deno. */
import { run, spawn } from "../../adapters/deno/mod.ts"
import { runOptionsSuite } from "../conformance/run-options.ts"

runOptionsSuite({ runtime: "Deno", run, spawn })
