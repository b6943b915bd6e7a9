/** The native launcher conformance suite on Bun. */
import { run, spawn, supervise } from "../../adapters/bun/mod.ts"
import { kakoiRunFixture } from "../conformance/inherit.ts"
import { nativeLauncherSuite } from "../conformance/native-launcher.ts"

nativeLauncherSuite({ runtime: "Bun", adapter: "bun", run, spawn, supervise, supervisor: (mode) => [process.execPath, kakoiRunFixture, "bun", mode] })
