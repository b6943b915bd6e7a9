/**
 * Splitting a child's output into lines. Chunks from a pipe end anywhere: in
 * the middle of a line, between "\r" and "\n", inside a multi-byte UTF-8
 * character. The splitter keeps the unfinished part until the next chunk.
 */

/**
 * One line of a child's output, without its line ending.
 *
 * @example
 * ```ts
 * import { supervise, type OutputLine } from "kakoi"
 *
 * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["/bin/sh", "-c", "echo up"], restart: "temporary" }] })
 * for await (const { child, stream, line } of tree.lines) console.log(`${child} ${stream}: ${line}`) // "app/web stdout: up"
 * const seen: OutputLine = { child: "app/web", stream: "stdout", line: "up" }
 * ```
 */
export interface OutputLine {
  /** The child's path from the root, e.g. "app/web". */
  readonly child: string
  readonly stream: "stdout" | "stderr"
  readonly line: string
}

/**
 * A chunk of a child's output, as the pipe delivered it: exact bytes, for
 * output that is not text (use `lines` for text).
 *
 * @example
 * ```ts
 * import { supervise } from "kakoi"
 *
 * const tree = await supervise({ name: "app", children: [{ name: "dump", argv: ["head", "-c", "16", "/dev/urandom"], restart: "temporary" }] })
 * for await (const { child, bytes } of tree.output) console.log(`${child}: ${bytes.length} bytes`)
 * ```
 */
export interface OutputChunk {
  readonly child: string
  readonly stream: "stdout" | "stderr"
  readonly bytes: Uint8Array
}

/**
 * Feeds chunks in, lines out; `end()` returns the last line when the output did not end with a newline.
 *
 * @example
 * ```ts
 * import { lineSplitter, type LineSplitter } from "./lines.ts"
 *
 * const split: LineSplitter = lineSplitter()
 * split.push(new TextEncoder().encode("no newline")) // []
 * split.end() // ["no newline"]
 * ```
 */
export interface LineSplitter {
  readonly push: (chunk: Uint8Array) => ReadonlyArray<string>
  readonly end: () => ReadonlyArray<string>
}

/**
 * A splitter for one stream. Lines longer than `maxLength` characters are cut,
 * so a child that never prints a newline cannot grow the buffer without bound.
 *
 * @example
 * ```ts
 * import { lineSplitter } from "./lines.ts"
 *
 * const split = lineSplitter()
 * split.push(new TextEncoder().encode("a\r\nb")) // ["a"]
 * split.push(new TextEncoder().encode("c\n"))    // ["bc"]
 * ```
 */
export const lineSplitter = (maxLength = 65_536): LineSplitter => {
  const decoder = new TextDecoder()
  let pending = ""
  const take = (text: string): Array<string> => {
    const lines: Array<string> = []
    pending += text
    let newline = pending.indexOf("\n")
    while (newline !== -1) {
      const line = pending.slice(0, newline)
      lines.push(line.endsWith("\r") ? line.slice(0, -1) : line)
      pending = pending.slice(newline + 1)
      newline = pending.indexOf("\n")
    }
    while (pending.length > maxLength) {
      lines.push(pending.slice(0, maxLength))
      pending = pending.slice(maxLength)
    }
    return lines
  }
  return {
    push: (chunk) => take(decoder.decode(chunk, { stream: true })),
    end: () => {
      const lines = take(decoder.decode())
      const last = pending.endsWith("\r") ? pending.slice(0, -1) : pending
      pending = ""
      return last === "" ? lines : [...lines, last]
    }
  }
}
