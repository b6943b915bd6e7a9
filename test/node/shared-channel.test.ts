/** The shared control channel conformance suite on Node. */
import { run } from "../../adapters/node/mod.ts"
import { sharedChannelSuite } from "../conformance/shared-channel.ts"

sharedChannelSuite({ runtime: "Node", adapter: "node", run })
