/** The capabilities conformance suite on Node. */
import { run } from "../../adapters/node/mod.ts"
import { capabilitiesSuite, capabilityFixture } from "../conformance/capabilities.ts"

capabilitiesSuite("Node", { run, fixture: (which) => [process.execPath, capabilityFixture, "node", which] })
