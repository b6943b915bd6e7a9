/** The root entry on Node: it picks the web-stream API (adapters/node/web.ts), which passes the launcher suite. */
import * as web from "../../adapters/node/web.ts"
import { run, spawn } from "../../mod.ts"
import { launcherSuite } from "../conformance/launcher.ts"
import { rootSuite } from "../conformance/root.ts"
import { webStreams } from "../conformance/streams.ts"

rootSuite("Node (web streams)", web)
launcherSuite({ runtime: "Node, root entry", run, spawn, streams: webStreams, setEnv: (name, value) => void (process.env[name] = value), unsetEnv: (name) => void delete process.env[name] })
