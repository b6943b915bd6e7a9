/** The learn-mode conformance suite on Deno. */
import { learn, run } from "../../adapters/deno/mod.ts"
import { learnSuite } from "../conformance/learn.ts"

learnSuite({ runtime: "Deno", learn, run })
