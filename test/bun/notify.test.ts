/** The notify conformance suite on Bun. */
import { layer, run, runEffect, spawn } from "../../adapters/bun/mod.ts"
import { notifySuite } from "../conformance/notify.ts"
import { notifyServicesSuite } from "../conformance/notify-services.ts"
import { notifyActSuite } from "../conformance/notify-act.ts"

notifySuite({ runtime: "Bun", run, spawn })
notifyServicesSuite({ runtime: "Bun", runEffect, layer })
notifyActSuite({ runtime: "Bun", run })
