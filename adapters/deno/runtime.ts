/**
 * The Runtime port on Deno: the native launcher over Deno.dlopen, the
 * children's pipes as web streams on the process's poll thread, and the host
 * `run`/`spawn` use (Deno.env). FFI could start any program behind the
 * permission system's back, so kakoi asks Deno first, as Deno.Command would:
 * `--allow-run` must cover the resolved command.
 */
import { Effect } from "effect"
import type { Host } from "../../core/api.ts"
import { webIoOf } from "../../core/launch/fd-streams.ts"
import { nativeRuntime, type RuntimePort } from "../../core/runtime.ts"
import { readWebText, writeWebInput, type WebIo } from "../../core/web-io.ts"
import { denoPollOffThread } from "./listener.ts"
import { denoLibc } from "./native.ts"
import { requirePermissions, requireRun, type DenoPermissionError } from "./permissions.ts"

/** The Deno runtime port. Deno ignores SIGPIPE for itself (and 32/33, glibc's own, on some builds). */
export const denoRuntime: RuntimePort<WebIo> = nativeRuntime(
  "deno",
  () => ({ libc: denoLibc(), poll: denoPollOffThread, runtimeIgnores: ["SIGPIPE", 32, 33] }),
  webIoOf(denoLibc, denoPollOffThread)
)

/** The Deno host for core/api.ts: checks permissions before anything starts. */
export const denoHost: Host<WebIo, DenoPermissionError> = {
  runtime: denoRuntime,
  environment: () => Deno.env.toObject(),
  readText: readWebText,
  writeInput: writeWebInput,
  preflight: (argv, options) =>
    Effect.andThen(
      requirePermissions(options.env === undefined ? ["ffi", "env"] : ["ffi"]),
      Effect.suspend(() => requireRun(denoLibc(), argv, options.env ?? Deno.env.toObject()))
    )
}
