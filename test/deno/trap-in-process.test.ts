/** The in-process traps conformance suite on Deno. */
import { trapFixture, trapInProcessSuite } from "../conformance/trap-in-process.ts"

trapInProcessSuite("Deno", (directory, mode) => [Deno.execPath(), "run", "--no-prompt", "-A", trapFixture, "deno", directory, mode])
