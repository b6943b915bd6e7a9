/** The containment conformance suite on Node. */
import { run, spawn, supervise } from "../../adapters/node/mod.ts"
import { containmentSuite, escaperFixture, refusedFixture } from "../conformance/containment.ts"

containmentSuite("Node", { run, spawn, supervise } as never, (marker) => [process.execPath, escaperFixture, "node", marker], [process.execPath, refusedFixture, "node"])
