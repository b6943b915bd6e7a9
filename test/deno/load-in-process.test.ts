/** The in-process loading conformance suite on Deno. */
import { loadFixture, loadInProcessSuite } from "../conformance/load-in-process.ts"

loadInProcessSuite("Deno", (directory, ...extra) => [Deno.execPath(), "run", "--no-prompt", "-A", loadFixture, "deno", directory, ...extra])
