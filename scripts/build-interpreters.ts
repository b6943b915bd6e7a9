/**
 * Writes core/program/interpreter-code.ts, the machine code of the child-program
 * interpreters that kakoi ships: `node scripts/build-interpreters.ts` after a
 * change to an interpreter's source (core/program/interpreter-*.ts) or to the
 * assembler. Shipping the bytes, not assembling them in every process, takes the
 * assemblers off the spawn path (1-2 ms of cold code in a process's first spawn).
 * test/core/program-interpreter.test.ts checks the file is what the sources give
 * today and what GNU as makes of their listings.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { interpreterCodeModule } from "../core/program/interpreter-source.ts"

const file = join(import.meta.dirname, "../core/program/interpreter-code.ts")
writeFileSync(file, interpreterCodeModule())
console.log(`wrote ${file}`)
