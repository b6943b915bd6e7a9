/** The launcher conformance suite on Bun. */
import { run, spawn } from "../../adapters/bun/mod.ts"
import { launcherSuite } from "../conformance/launcher.ts"
import { webStreams } from "../conformance/streams.ts"

launcherSuite({ runtime: "Bun", run, spawn, streams: webStreams, setEnv: (name, value) => void (process.env[name] = value), unsetEnv: (name) => void delete process.env[name] })
