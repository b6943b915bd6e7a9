/**
 * The Runtime port on Node: the native launcher over koffi, the children's
 * pipes as Node streams (net.Socket on the parent's ends: libuv polls them,
 * no pool thread is held), and the host `run`/`spawn` use (process.env).
 */
import { Socket } from "node:net"
import { PassThrough, type Readable, type Writable } from "node:stream"
import type { Host } from "../../core/api.ts"
import { nativeRuntime, type RuntimePort } from "../../core/runtime.ts"
import { nodePollOffThread } from "./listener.ts"
import { nodeLibc } from "./native.ts"

/** The child's stdio as Node streams; undefined where the stream is not a pipe. */
export interface NodeIo {
  readonly stdin: Writable | undefined
  readonly stdout: Readable | undefined
  readonly stderr: Readable | undefined
}

const writable = (fd: number | undefined): Writable | undefined =>
  fd === undefined ? undefined : new Socket({ fd, readable: false, writable: true })

/**
 * A socket on a pipe emits 'end' (and closes) as soon as it reads end of file
 * with nothing buffered, even with no reader yet: behind a PassThrough the end
 * waits for whoever reads, however late they attach.
 */
const readable = (fd: number | undefined): Readable | undefined =>
  fd === undefined ? undefined : new Socket({ fd, readable: true, writable: false }).pipe(new PassThrough())

/** The Node runtime port. */
export const nodeRuntime: RuntimePort<NodeIo> = nativeRuntime(
  "node",
  () => ({ libc: nodeLibc(), poll: nodePollOffThread, runtimeIgnores: ["SIGPIPE", "SIGXFSZ"] }),
  ([stdin, stdout, stderr]) => ({ stdin: writable(stdin), stdout: readable(stdout), stderr: readable(stderr) })
)

const collect = (stream: Readable | undefined): Promise<string> =>
  new Promise((resolve, reject) => {
    if (stream === undefined) return resolve("")
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    stream.once("error", reject)
    stream.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

/** The Node host for core/api.ts. */
export const nodeHost: Host<NodeIo> = {
  runtime: nodeRuntime,
  environment: () => process.env,
  readText: (io, stream) => collect(io[stream]),
  // A child that exits without reading makes the write fail (EPIPE): the child's business, not an error of `run`.
  writeInput: (io, input) => void io.stdin?.on("error", () => {}).end(input)
}
