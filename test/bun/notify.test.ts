/** The notify conformance suite on Bun. */
import { run, spawn } from "../../adapters/bun/mod.ts"
import { notifySuite } from "../conformance/notify.ts"
import { notifyActSuite } from "../conformance/notify-act.ts"

notifySuite({ runtime: "Bun", run, spawn })
notifyActSuite({ runtime: "Bun", run })
