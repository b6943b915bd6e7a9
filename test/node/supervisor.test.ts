/** The supervisor conformance suite on Node. */
import { layer, supervise, superviseEffect } from "../../adapters/node/mod.ts"
import { supervisorSuite } from "../conformance/supervisor.ts"

supervisorSuite({ runtime: "Node", supervise, superviseEffect, layer, fixture: [process.execPath] })
