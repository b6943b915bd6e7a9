/** The containment conformance suite on Deno. */
import { run, spawn } from "../../adapters/deno/mod.ts"
import { containmentSuite, escaperFixture } from "../conformance/containment.ts"

containmentSuite("Deno", { run, spawn } as never, (marker) => [Deno.execPath(), "run", "--no-prompt", "-A", escaperFixture, "deno", marker])
