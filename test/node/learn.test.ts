/** The learn-mode conformance suite on Node. */
import { learn, run } from "../../adapters/node/mod.ts"
import { learnSuite } from "../conformance/learn.ts"

learnSuite({ runtime: "Node", learn, run })
