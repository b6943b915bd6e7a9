/** The containment conformance suite on Bun. */
import { run, spawn } from "../../adapters/bun/mod.ts"
import { containmentSuite, escaperFixture, refusedFixture } from "../conformance/containment.ts"

containmentSuite("Bun", { run, spawn } as never, (marker) => [process.execPath, escaperFixture, "bun", marker], [process.execPath, refusedFixture, "bun"])
