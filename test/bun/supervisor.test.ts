/** The supervisor conformance suite on Bun. */
import { layer, supervise, superviseEffect } from "../../adapters/bun/mod.ts"
import { supervisorSuite } from "../conformance/supervisor.ts"

supervisorSuite({ runtime: "Bun", supervise, superviseEffect, layer, fixture: [process.execPath] })
