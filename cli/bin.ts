#!/usr/bin/env node
/** The `kakoi` executable. */
import { main } from "./main.ts"

/** The standard streams kakoi wrote to (each is made on first use: an untouched one costs nothing). */
const written = new Set<NodeJS.WriteStream>()
const write = (stream: NodeJS.WriteStream, data: string | Uint8Array): void => {
  written.add(stream)
  stream.write(data)
}

const status = await main(process.argv.slice(2), {
  out: (line) => write(process.stdout, `${line}\n`),
  err: (line) => write(process.stderr, `${line}\n`),
  bytes: (data) => write(process.stdout, data)
})
// The command is done: exit now rather than let Node tear its heap down first (~5 ms of a
// `kakoi run`). Writes to a pipe are asynchronous, so each stream used is flushed before.
for (const stream of written) await new Promise<void>((flushed) => stream.write("", () => flushed()))
process.exit(status)
