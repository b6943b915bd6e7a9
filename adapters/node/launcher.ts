/** The launcher entry on Node: started by the Node spawner, becomes the target via execve. */
import * as nodeModule from "node:module"
import { runLauncher } from "../../core/launcher.ts"
import { nodeNative } from "./native.ts"

const native = nodeNative()
// Node writes its compile cache at exit, and a launcher never exits (it execs): write it now.
// Cheap when nothing is new; absent before Node 22.10.
nodeModule.flushCompileCache?.()
runLauncher(native)
