/** The in-process loading conformance suite on Bun. */
import { loadFixture, loadInProcessSuite } from "../conformance/load-in-process.ts"

loadInProcessSuite("Bun", (directory, ...extra) => [process.execPath, loadFixture, "bun", directory, ...extra])
