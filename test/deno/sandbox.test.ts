/** The sandbox() conformance suite on Deno. */
import { run } from "../../adapters/deno/mod.ts"
import { sandboxSuite } from "../conformance/sandbox.ts"

sandboxSuite("Deno", { run })
