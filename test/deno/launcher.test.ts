/** The launcher conformance suite on Deno. */
import { run, spawn } from "../../adapters/deno/mod.ts"
import { launcherSuite } from "../conformance/launcher.ts"
import { webStreams } from "../conformance/streams.ts"

launcherSuite({ runtime: "Deno", run, spawn, streams: webStreams, setEnv: (name, value) => Deno.env.set(name, value), unsetEnv: (name) => Deno.env.delete(name) })
