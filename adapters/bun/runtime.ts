/**
 * The Runtime port on Bun: the native launcher over bun:ffi, the children's
 * pipes as web streams on the process's poll thread (the poll Worker), and
 * the host `run`/`spawn` use (process.env).
 */
import type { Host } from "../../core/api.ts"
import { webIoOf } from "../../core/launch/fd-streams.ts"
import { nativeRuntime, type RuntimePort } from "../../core/runtime.ts"
import { readWebText, writeWebInput, type WebIo } from "../../core/web-io.ts"
import { bunPollOffThread } from "./listener.ts"
import { bunLibc } from "./native.ts"

/** The Bun runtime port. */
export const bunRuntime: RuntimePort<WebIo> = nativeRuntime(
  "bun",
  () => ({ libc: bunLibc(), poll: bunPollOffThread, runtimeIgnores: ["SIGPIPE", "SIGXFSZ"] }),
  webIoOf(bunLibc, bunPollOffThread)
)

/** The Bun host for core/api.ts. */
export const bunHost: Host<WebIo> = {
  runtime: bunRuntime,
  environment: () => process.env,
  readText: readWebText,
  writeInput: writeWebInput
}
