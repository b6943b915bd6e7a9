/** The strict-input conformance suite on Deno. */
import { run, spawn, supervise } from "../../adapters/deno/mod.ts"
import { strictInputSuite } from "../conformance/strict-input.ts"

strictInputSuite({ runtime: "Deno", run, spawn, supervise })
