/** The run/spawn options conformance suite on Node: kakoi/node (Node streams) and the root entry (web streams). */
import { run, spawn } from "../../adapters/node/mod.ts"
import { run as runWeb, spawn as spawnWeb } from "../../adapters/node/web.ts"
import { runOptionsSuite } from "../conformance/run-options.ts"

runOptionsSuite({ runtime: "Node", run, spawn })
runOptionsSuite({ runtime: "Node with web streams (the root entry)", run: runWeb, spawn: spawnWeb })
