/** The launcher entry on Node: started by the Node spawner, becomes the target via execve. */
import { runLauncher } from "../../core/launcher.ts"
import { nodeNative } from "./native.ts"

runLauncher(nodeNative())
