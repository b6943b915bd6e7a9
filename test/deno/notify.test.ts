/** The notify conformance suite on Deno. */
import { layer, run, runEffect, spawn } from "../../adapters/deno/mod.ts"
import { notifySuite } from "../conformance/notify.ts"
import { notifyServicesSuite } from "../conformance/notify-services.ts"
import { notifyActSuite } from "../conformance/notify-act.ts"

notifySuite({ runtime: "Deno", run, spawn })
notifyServicesSuite({ runtime: "Deno", runEffect, layer })
notifyActSuite({ runtime: "Deno", run })
