/**
 * kakoi on Node with web streams: the API of `kakoi/node`, but a spawned
 * child's `stdin` is a WritableStream and `stdout`/`stderr` ReadableStreams,
 * as on Deno and Bun. This is what the root entry `kakoi` uses on Node, so
 * code written against it runs unchanged in all three runtimes.
 */
import { Writable } from "node:stream"
import { Effect } from "effect"
import { makeApi, type Api, type Host } from "../../core/api.ts"
import type { RuntimePort } from "../../core/runtime.ts"
import { readWebText, writeWebInput, type WebIo } from "../../core/web-io.ts"
import { layer, type NodeServices } from "./mod.ts"
import { nodeRuntime, type NodeIo } from "./runtime.ts"

// The supervisor reads its children's output itself and hands out none of their streams: the same API as kakoi/node.
export { layer, learn, loadPolicy, supervise, superviseEffect, trapInProcess } from "./mod.ts"

// The Node streams are already buffered (runtime.ts), so the web streams may start reading late.
// ReadableStream.from, not Readable.toWeb: its type is the global ReadableStream under Node's and Deno's types alike.
const webIo = (io: NodeIo): WebIo => ({
  stdin: io.stdin === undefined ? undefined : Writable.toWeb(io.stdin),
  stdout: io.stdout === undefined ? undefined : ReadableStream.from<Uint8Array>(io.stdout),
  stderr: io.stderr === undefined ? undefined : ReadableStream.from<Uint8Array>(io.stderr)
})

const webRuntime: RuntimePort<WebIo> = {
  ...nodeRuntime,
  launch: (request, command) => Effect.map(nodeRuntime.launch(request, command), (launched) => ({ ...launched, io: webIo(launched.io) }))
}

/** The Node host with web streams, for core/api.ts. */
export const nodeWebHost: Host<WebIo> = {
  runtime: webRuntime,
  environment: () => process.env,
  readText: readWebText,
  writeInput: writeWebInput
}

type WebApi = Api<WebIo, NodeServices>

const api: WebApi = makeApi(nodeWebHost, layer)

/**
 * Run a command to completion as an Effect; a non-zero exit is data.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"]), layer))
 * ```
 */
export const runEffect: WebApi["runEffect"] = api.runEffect

/**
 * Run a command to completion; rejects with a typed error only when the child cannot start.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await run(["echo", "hi"])
 * ```
 */
export const run: WebApi["run"] = api.run

/**
 * Start a command and return once its target is exec'd; its streams are web streams.
 *
 * @example
 * ```ts
 * const child = await spawn(["cat"])
 * const writer = child.stdin?.getWriter()
 * await writer?.write(new TextEncoder().encode("hello"))
 * await writer?.close()
 * const { exitCode } = await child.result
 * ```
 */
export const spawn: WebApi["spawn"] = api.spawn
