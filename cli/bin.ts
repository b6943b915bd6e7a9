#!/usr/bin/env node
/** The `kakoi` executable. */
import { main } from "./main.ts"

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  bytes: (data) => process.stdout.write(data)
})
