/** The parent-death conformance suite on Deno (--allow-read only for the fixture's dynamic import of the adapter). */
import { parentDeathSuite, sleeperFixture } from "../conformance/parent-death.ts"

parentDeathSuite("Deno", (mode) => [Deno.execPath(), "run", "--no-prompt", "--allow-ffi", "--allow-run", "--allow-read", sleeperFixture, "deno", mode])
