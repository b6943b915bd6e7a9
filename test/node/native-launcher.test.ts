/** The native launcher conformance suite on Node. */
import { run, spawn, supervise } from "../../adapters/node/mod.ts"
import { kakoiRunFixture } from "../conformance/inherit.ts"
import { nativeLauncherSuite } from "../conformance/native-launcher.ts"

nativeLauncherSuite({ runtime: "Node", adapter: "node", run, spawn, supervise, supervisor: (mode) => [process.execPath, kakoiRunFixture, "node", mode] })
