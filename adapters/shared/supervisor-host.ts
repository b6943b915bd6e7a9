/**
 * The supervisor's extra needs, met the same way in Node, Deno and Bun:
 * `process.on` and `process.off` for the signals the supervisor receives, and
 * stdin is either a Node Writable or a WritableStream.
 */
import process from "node:process"
import type { Host } from "../../core/api.ts"
import type { InputLines, SupervisorHost } from "../../core/supervisor/host.ts"

/** The part of an adapter's `Io` a supervisor reads. */
export interface OutputIo {
  readonly stdin: NodeInput | WritableStream<Uint8Array> | undefined
  readonly stdout: AsyncIterable<Uint8Array> | undefined
  readonly stderr: AsyncIterable<Uint8Array> | undefined
}

/** The part of a Node Writable the watchdog channel uses. */
interface NodeInput {
  readonly write: (chunk: Uint8Array) => unknown
  readonly end: () => unknown
  readonly on: (event: "error", listener: (error: unknown) => void) => unknown
}

const encoder = new TextEncoder()

// A child that is gone makes writes fail (EPIPE); the channel is best effort by design, so failures are dropped.
const inputLines = (stdin: OutputIo["stdin"]): InputLines | undefined => {
  if (stdin === undefined) return undefined
  if (!("getWriter" in stdin)) {
    stdin.on("error", () => {})
    return { write: (text) => void stdin.write(encoder.encode(text)), close: () => void stdin.end() }
  }
  const writer = stdin.getWriter()
  return {
    write: (text) => void writer.write(encoder.encode(text)).catch(() => {}),
    close: () => void writer.close().catch(() => {})
  }
}

/**
 * An adapter's Host with what a supervisor needs besides.
 *
 * @example
 * ```ts
 * import { layer, type NodeIo } from "kakoi/node"
 * import type { Host } from "../../core/api.ts"
 * import { makeSupervisorApi } from "../../core/supervisor/api.ts"
 *
 * declare const host: Host<NodeIo>
 * const { supervise } = makeSupervisorApi(supervisorHost(host), layer)
 * ```
 */
export const supervisorHost = <Io extends OutputIo, X>(host: Host<Io, X>): SupervisorHost<Io, X> => ({
  ...host,
  inputLines: (io) => inputLines(io.stdin),
  onSignal: (signal, listener) => {
    process.on(signal, listener)
    return () => void process.off(signal, listener)
  }
})
