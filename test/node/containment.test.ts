/** The containment conformance suite on Node. */
import { run, spawn } from "../../adapters/node/mod.ts"
import { containmentSuite, escaperFixture } from "../conformance/containment.ts"

containmentSuite("Node", { run, spawn } as never, (marker) => [process.execPath, escaperFixture, "node", marker])
