/** The sandbox() conformance suite on Node. */
import { run } from "../../adapters/node/mod.ts"
import { sandboxSuite } from "../conformance/sandbox.ts"

sandboxSuite("Node", { run })
