/**
 * kakoi on Node with web streams: the API of `kakoi/node`, but a spawned
 * child's `stdin` is a WritableStream and `stdout`/`stderr` ReadableStreams
 * (over the pipes' fds on the poll thread, as on Deno and Bun). This is what
 * the root entry `kakoi` uses on Node, so code written against it runs
 * unchanged in all three runtimes.
 */
import { endWebInput, webIoOf } from "../../core/launch/fd-streams.ts"
import { writeWebInput, type WebIo } from "../../core/web-io.ts"
import { makeAdapter, type AdapterApi } from "../shared/make-adapter.ts"
import { nodePollOffThread } from "./listener.ts"
import { nodeLibc } from "./native.ts"
import { nodeBinding } from "./runtime.ts"

// Node adapter with web streams.
const adapter: AdapterApi<WebIo> = makeAdapter<WebIo>({
  ...nodeBinding,
  streams: webIoOf(nodeLibc, nodePollOffThread),
  writeInput: writeWebInput,
  endInput: endWebInput
})

/** The layer the plugins' services come from: see `AdapterApi["layer"]` (adapters/shared/make-adapter.ts). */
export const layer: AdapterApi<WebIo>["layer"] = adapter.layer
/** Run a command to completion as an Effect: see `AdapterApi["runEffect"]` (adapters/shared/make-adapter.ts). */
export const runEffect: AdapterApi<WebIo>["runEffect"] = adapter.runEffect
/** Run a command to completion: see `AdapterApi["run"]` (adapters/shared/make-adapter.ts). */
export const run: AdapterApi<WebIo>["run"] = adapter.run
/** Start a command; resolves once its target is exec'd: see `AdapterApi["spawn"]` (adapters/shared/make-adapter.ts). */
export const spawn: AdapterApi<WebIo>["spawn"] = adapter.spawn
/** Load a policy into this process (TSYNC): see `AdapterApi["loadPolicy"]` (adapters/shared/make-adapter.ts). */
export const loadPolicy: AdapterApi<WebIo>["loadPolicy"] = adapter.loadPolicy
/** Learn a least-privilege policy for a command: see `AdapterApi["learn"]` (adapters/shared/make-adapter.ts). */
export const learn: AdapterApi<WebIo>["learn"] = adapter.learn
/** Load a policy whose trap rules are reported to `onTrap`: see `AdapterApi["trapInProcess"]` (adapters/shared/make-adapter.ts). */
export const trapInProcess: AdapterApi<WebIo>["trapInProcess"] = adapter.trapInProcess
/** Start a supervision tree in the current scope: see `AdapterApi["superviseEffect"]` (adapters/shared/make-adapter.ts). */
export const superviseEffect: AdapterApi<WebIo>["superviseEffect"] = adapter.superviseEffect
/** Start a supervision tree: see `AdapterApi["supervise"]` (adapters/shared/make-adapter.ts). */
export const supervise: AdapterApi<WebIo>["supervise"] = adapter.supervise
