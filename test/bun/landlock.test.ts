/** The Landlock ruleset conformance suite on Bun. */
import { landlockFixture, landlockSuite } from "../conformance/landlock.ts"

landlockSuite("Bun", (json) => [process.execPath, landlockFixture, "bun", json])
