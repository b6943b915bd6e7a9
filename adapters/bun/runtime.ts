/**
 * Bun's binding for the adapter factory: bun:ffi's libc, poll(2) in a Worker
 * (listener.ts), libseccomp, and the children's pipes as web streams on the
 * poll thread.
 */
import { environmentReader } from "../../core/environment.ts"
import { endWebInput, webIoOf } from "../../core/launch/fd-streams.ts"
import { writeWebInput, type WebIo } from "../../core/web-io.ts"
import type { RuntimeBinding } from "../shared/make-adapter.ts"
import { trapHelperPath } from "../shared/trap-helper-host.ts"
import { layer as seccompLibrary } from "./libseccomp.ts"
import { bunPollOffThread } from "./listener.ts"
import { bunLibc } from "./native.ts"

/**
 * Bun's binding.
 *
 * @example
 * ```ts
 * import { makeAdapter } from "../shared/make-adapter.ts"
 * import { bunBinding } from "./runtime.ts"
 *
 * const { run } = makeAdapter(bunBinding)
 * ```
 */
export const bunBinding: RuntimeBinding<WebIo> = {
  name: "bun",
  libc: bunLibc,
  poll: bunPollOffThread,
  runtimeIgnores: ["SIGPIPE", "SIGXFSZ"],
  seccompLibrary,
  streams: webIoOf(bunLibc, bunPollOffThread),
  environment: environmentReader(() => process.env),
  writeInput: writeWebInput,
  endInput: endWebInput,
  trapHelper: (parent, errno) => [process.execPath, trapHelperPath, "bun", String(parent), String(errno)]
}
