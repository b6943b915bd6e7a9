/**
 * The launcher entry on Deno: started by the Deno spawner as
 * `deno run --no-config --no-lock -A launcher.ts <fd>`, with the control
 * channel's fd number in argv (Deno.Command cannot map extra fds to 3).
 */
import { runLauncher } from "../../core/launcher.ts"
import { denoNative } from "./native.ts"

runLauncher(denoNative(), Number(Deno.args[0]))
