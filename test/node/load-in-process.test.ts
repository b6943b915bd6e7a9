/** The in-process loading conformance suite on Node. */
import { loadFixture, loadInProcessSuite } from "../conformance/load-in-process.ts"

loadInProcessSuite("Node", (directory) => [process.execPath, loadFixture, "node", directory])
