/** The capabilities conformance suite on Bun. */
import { run } from "../../adapters/bun/mod.ts"
import { capabilitiesSuite, capabilityFixture } from "../conformance/capabilities.ts"

capabilitiesSuite("Bun", { run, fixture: (which) => [process.execPath, capabilityFixture, "bun", which] })
