/** The in-process traps conformance suite on Bun. */
import { trapFixture, trapInProcessSuite } from "../conformance/trap-in-process.ts"

trapInProcessSuite("Bun", (directory, mode) => [process.execPath, trapFixture, "bun", directory, mode])
