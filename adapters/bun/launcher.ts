/** The launcher entry on Bun: started by the Bun spawner with the job on fd 3, becomes the target via execve. */
import { runLauncher } from "../../core/launcher.ts"
import { bunNative } from "./native.ts"

runLauncher(bunNative())
