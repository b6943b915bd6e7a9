/** The in-process traps conformance suite on Node. */
import { trapFixture, trapInProcessSuite } from "../conformance/trap-in-process.ts"

trapInProcessSuite("Node", (directory, mode) => [process.execPath, trapFixture, "node", directory, mode])
