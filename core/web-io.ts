/**
 * A child's stdio as web streams, the shape Deno and Bun hand to users, and
 * how `run` reads and feeds them.
 */

/** The child's stdio as web streams; undefined where the stream is not a pipe. */
export interface WebIo {
  readonly stdin: WritableStream<Uint8Array> | undefined
  readonly stdout: ReadableStream<Uint8Array> | undefined
  readonly stderr: ReadableStream<Uint8Array> | undefined
}

/**
 * Everything a stream carries until it closes, as UTF-8; "" for no stream.
 *
 * @example
 * ```ts
 * import { readWebText } from "./web-io.ts"
 *
 * await readWebText({ stdin: undefined, stdout: new Response("hi").body ?? undefined, stderr: undefined }, "stdout") // "hi"
 * ```
 */
export const readWebText = (io: WebIo, stream: "stdout" | "stderr"): Promise<string> => {
  const source = io[stream]
  return source === undefined ? Promise.resolve("") : new Response(source).text()
}

/**
 * Write `input` to stdin and close it. A child that exits without reading
 * makes the write fail (broken pipe); that is the child's business, not an error of `run`.
 *
 * @example
 * ```ts
 * import { writeWebInput, type WebIo } from "./web-io.ts"
 *
 * declare const io: WebIo
 * writeWebInput(io, "hello\n")
 * ```
 */
export const writeWebInput = (io: WebIo, input: string | Uint8Array): void => {
  const writer = io.stdin?.getWriter()
  if (writer === undefined) return
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input
  writer.write(bytes).then(() => writer.close()).catch(() => undefined)
}
