/** The Landlock ruleset conformance suite on Node. */
import { landlockFixture, landlockSuite } from "../conformance/landlock.ts"

landlockSuite("Node", (json) => [process.execPath, landlockFixture, "node", json])
