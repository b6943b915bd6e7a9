/** The notify conformance suite on Deno. */
import { run, spawn } from "../../adapters/deno/mod.ts"
import { notifySuite } from "../conformance/notify.ts"
import { notifyActSuite } from "../conformance/notify-act.ts"

notifySuite({ runtime: "Deno", run, spawn })
notifyActSuite({ runtime: "Deno", run })
