/**
 * Deno's binding for the adapter factory: Deno.dlopen's libc, poll(2) on
 * Deno's blocking pool (listener.ts), libseccomp, and the children's pipes as
 * web streams on the poll thread. FFI could start any program behind the
 * permission system's back, so the preflight asks Deno first, as
 * Deno.Command would: `--allow-run` must cover the resolved command.
 */
import { Effect } from "effect"
import { environmentReader } from "../../core/environment.ts"
import { environProbe, vouchedWhile } from "../../core/host/environ.ts"
import { endWebInput, webIoOf } from "../../core/launch/fd-streams.ts"
import { writeWebInput, type WebIo } from "../../core/web-io.ts"
import type { RuntimeBinding } from "../shared/make-adapter.ts"
import { trapHelperPath } from "../shared/trap-helper-host.ts"
import { layer as seccompLibrary } from "./libseccomp.ts"
import { denoPollOffThread } from "./listener.ts"
import { denoLibc, loadedDenoLibc } from "./native.ts"
import { requirePermissions, requireRun, type DenoPermissionError } from "./permissions.ts"

/** Deno.env and its toObject as this module found them: both are writable, and a program may put its own in place. */
const startEnv = Deno.env
const startToObject = startEnv.toObject

/**
 * The environment with its names in order: Deno.env.toObject() gives them in
 * a different (hash) order on every call, so each child got its variables
 * shuffled and no two spawns of one command had the same program to reuse.
 * Deno.env is libc's environment, for every worker alike: read only when the
 * probe cannot tell it is unchanged, and always while Deno.env or its
 * toObject is not the one found at load (a stub's values are not libc's).
 */
const environment = environmentReader(() => Deno.env.toObject(), "by-name", vouchedWhile(
  environProbe(loadedDenoLibc),
  () => Deno.env === startEnv && startEnv.toObject === startToObject
))

/**
 * Deno's binding. Deno ignores SIGPIPE for itself (and 32/33, glibc's own, on some builds).
 *
 * @example
 * ```ts
 * import { makeAdapter } from "../shared/make-adapter.ts"
 * import { denoBinding } from "./runtime.ts"
 *
 * const { run } = makeAdapter(denoBinding)
 * ```
 */
export const denoBinding: RuntimeBinding<WebIo, DenoPermissionError> = {
  name: "deno",
  libc: denoLibc,
  poll: denoPollOffThread,
  runtimeIgnores: ["SIGPIPE", 32, 33],
  seccompLibrary,
  streams: webIoOf(denoLibc, denoPollOffThread),
  environment,
  writeInput: writeWebInput,
  endInput: endWebInput,
  preflight: (argv, options) =>
    Effect.andThen(
      requirePermissions(options.env === undefined ? ["ffi", "env"] : ["ffi"]),
      // The command is resolved through PATH alone: read just that one variable of the supervisor's environment.
      requireRun(denoLibc(), argv, () => options.env ?? { PATH: Deno.env.get("PATH") }, options.cwd)
    ),
  // --allow-all: Deno grants /proc/<pid>/fd, which the helper scans for the listener, to nothing less.
  // No escalation: a program allowed to run Deno.execPath() can already start it with any permission.
  trapHelper: (parent, errno) => [Deno.execPath(), "run", "--no-prompt", "--allow-all", trapHelperPath, "deno", String(parent), String(errno)]
}
