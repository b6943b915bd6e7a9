/** The strict-input conformance suite on Bun. */
import { run, spawn, supervise } from "../../adapters/bun/mod.ts"
import { strictInputSuite } from "../conformance/strict-input.ts"

strictInputSuite({ runtime: "Bun", run, spawn, supervise })
