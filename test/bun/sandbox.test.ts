/** The sandbox() conformance suite on Bun. */
import { run } from "../../adapters/bun/mod.ts"
import { sandboxSuite } from "../conformance/sandbox.ts"

sandboxSuite("Bun", { run })
