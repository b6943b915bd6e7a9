/** The two stream types adapters hand out (Node streams, web streams), as the conformance suites use them. */
import type { Readable, Writable } from "node:stream"
import type { WebIo } from "../../core/web-io.ts"
import type { Streams } from "./launcher.ts"

/** Node's `Writable`/`Readable` children. */
export const nodeStreams: Streams<{ readonly stdin: Writable | undefined; readonly stdout: Readable | undefined }> = {
  write: (child, text) => new Promise((resolve, reject) => child.stdin?.write(text, (error) => (error ? reject(error) : resolve()))),
  end: (child) => new Promise((resolve) => child.stdin?.end(resolve)),
  firstChunk: (child) => new Promise((resolve) => child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString())))
}

/** Deno's and Bun's web-stream children. Each call takes the lock only for its own step. */
export const webStreams: Streams<WebIo> = {
  write: async (child, text) => {
    const writer = child.stdin?.getWriter()
    await writer?.write(new TextEncoder().encode(text))
    writer?.releaseLock()
  },
  end: async (child) => child.stdin?.close(),
  firstChunk: async (child) => {
    const reader = child.stdout?.getReader()
    const chunk = await reader?.read()
    reader?.releaseLock()
    return new TextDecoder().decode(chunk?.value)
  }
}
