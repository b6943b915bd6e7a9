/** The learn-mode conformance suite on Bun. */
import { learn, run } from "../../adapters/bun/mod.ts"
import { learnSuite } from "../conformance/learn.ts"

learnSuite({ runtime: "Bun", learn, run })
