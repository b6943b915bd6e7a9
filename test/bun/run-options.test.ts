/** The run/spawn options conformance suite on Bun. */
import { run, spawn } from "../../adapters/bun/mod.ts"
import { runOptionsSuite } from "../conformance/run-options.ts"

runOptionsSuite({ runtime: "Bun", run, spawn })
