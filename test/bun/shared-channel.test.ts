/** The shared control channel conformance suite on Bun. */
import { run } from "../../adapters/bun/mod.ts"
import { sharedChannelSuite } from "../conformance/shared-channel.ts"

sharedChannelSuite({ runtime: "Bun", adapter: "bun", run })
