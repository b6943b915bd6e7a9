/** The shared control channel conformance suite on Deno. */
import { run } from "../../adapters/deno/mod.ts"
import { sharedChannelSuite } from "../conformance/shared-channel.ts"

sharedChannelSuite({ runtime: "Deno", adapter: "deno", run })
