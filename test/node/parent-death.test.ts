/** The parent-death conformance suite on Node. */
import { parentDeathSuite, sleeperFixture } from "../conformance/parent-death.ts"

parentDeathSuite("Node", (mode) => [process.execPath, sleeperFixture, "node", mode])
