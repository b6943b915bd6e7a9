/** The containment conformance suite on Deno. */
import { run, spawn, supervise } from "../../adapters/deno/mod.ts"
import { containmentSuite, escaperFixture, refusedFixture } from "../conformance/containment.ts"

const deno = (fixture: string, ...args: ReadonlyArray<string>): ReadonlyArray<string> => [Deno.execPath(), "run", "--no-prompt", "-A", fixture, "deno", ...args]
containmentSuite("Deno", { run, spawn, supervise } as never, (marker) => deno(escaperFixture, marker), deno(refusedFixture))
