/** The in-process loading conformance suite on Node. */
import { loadFixture, loadInProcessSuite } from "../conformance/load-in-process.ts"

loadInProcessSuite("Node", (directory, ...extra) => [process.execPath, loadFixture, "node", directory, ...extra])
