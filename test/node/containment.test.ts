/** The containment conformance suite on Node. */
import { run, spawn } from "../../adapters/node/mod.ts"
import { containmentSuite, escaperFixture, refusedFixture } from "../conformance/containment.ts"

containmentSuite("Node", { run, spawn } as never, (marker) => [process.execPath, escaperFixture, "node", marker], [process.execPath, refusedFixture, "node"])
