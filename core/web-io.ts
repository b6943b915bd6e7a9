/**
 * A child's stdio as web streams, the shape Deno and Bun hand to users, and
 * how `run` feeds them.
 */

/**
 * The child's stdio as web streams; undefined where the stream is not a pipe.
 *
 * @example
 * ```ts
 * import { spawn, type WebIo } from "kakoi"
 *
 * const { stdout }: WebIo = await spawn(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } })
 * const text = await new Response(stdout).text() // "hi\n"
 * ```
 */
export interface WebIo {
  readonly stdin: WritableStream<Uint8Array> | undefined
  readonly stdout: ReadableStream<Uint8Array> | undefined
  readonly stderr: ReadableStream<Uint8Array> | undefined
}

/**
 * Write `input` to stdin and close it. A child that exits without reading
 * makes the write fail (broken pipe); that is the child's business, not an error of `run`.
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi"
 * import { writeWebInput } from "./web-io.ts"
 *
 * const cat = await spawn(["cat"], { env: { PATH: "/usr/bin:/bin" } })
 * writeWebInput(cat, "hello\n")
 * await new Response(cat.stdout).text() // "hello\n": cat read it, then saw stdin close
 * ```
 */
export const writeWebInput = (io: WebIo, input: string | Uint8Array): void => {
  const writer = io.stdin?.getWriter()
  if (writer === undefined) return
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input
  writer.write(bytes).then(() => writer.close()).catch(() => undefined)
}
