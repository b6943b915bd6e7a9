/** The strict-input conformance suite on Node. */
import { run, spawn, supervise } from "../../adapters/node/mod.ts"
import { strictInputSuite } from "../conformance/strict-input.ts"

strictInputSuite({ runtime: "Node", run, spawn, supervise })
