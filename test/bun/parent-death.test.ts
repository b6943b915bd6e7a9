/** The parent-death conformance suite on Bun. */
import { parentDeathSuite, sleeperFixture } from "../conformance/parent-death.ts"

parentDeathSuite("Bun", (mode) => [process.execPath, sleeperFixture, "bun", mode])
