/** The containment conformance suite on Bun. */
import { run, spawn, supervise } from "../../adapters/bun/mod.ts"
import { containmentSuite, escaperFixture, refusedFixture } from "../conformance/containment.ts"

containmentSuite("Bun", { run, spawn, supervise } as never, (marker) => [process.execPath, escaperFixture, "bun", marker], [process.execPath, refusedFixture, "bun"])
