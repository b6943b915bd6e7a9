/** The run/spawn options conformance suite on Node. */
import { run, spawn } from "../../adapters/node/mod.ts"
import { runOptionsSuite } from "../conformance/run-options.ts"

runOptionsSuite({ runtime: "Node", run, spawn })
