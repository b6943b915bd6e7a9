/** The capabilities conformance suite on Deno. */
import { run } from "../../adapters/deno/mod.ts"
import { capabilitiesSuite, capabilityFixture } from "../conformance/capabilities.ts"

capabilitiesSuite("Deno", { run, fixture: (which) => [Deno.execPath(), "run", "--no-prompt", "-A", capabilityFixture, "deno", which] })
