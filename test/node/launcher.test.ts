/** The launcher conformance suite on Node. */
import { run, spawn } from "../../adapters/node/mod.ts"
import { launcherSuite } from "../conformance/launcher.ts"
import { nodeStreams } from "../conformance/streams.ts"

launcherSuite({ runtime: "Node", run, spawn, streams: nodeStreams, setEnv: (name, value) => void (process.env[name] = value), unsetEnv: (name) => void delete process.env[name] })
