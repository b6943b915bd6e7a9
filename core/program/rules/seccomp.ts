/**
 * The seccomp step's data: a sock_fprog and its instructions in the block.
 * Where the installs go (last, the listener's after every other) is the
 * compiler's business (compile.ts).
 */
import type { ArchTable } from "../../arch/mod.ts"
import type { BlockLayout, DataRef } from "../block.ts"
import { ProgramError } from "../errors.ts"

/** BPF_MAXINSNS */
const maxBpfInstructions = 4096

/**
 * A sock_fprog and its instructions in the block; a ProgramError for a BPF
 * program that is empty, too long or not whole instructions.
 *
 * @example
 * ```ts
 * import type { ArchTable } from "../../arch/mod.ts"
 * import type { BlockLayout } from "../block.ts"
 *
 * declare const table: ArchTable, layout: BlockLayout
 * const fprog = filterProgram(table, new Uint8Array(8), "steps[0] (seccomp)", layout)
 * ```
 */
export const filterProgram = (table: ArchTable, bpf: Uint8Array, at: string, layout: BlockLayout): DataRef => {
  const { size, len, filter, instructionSize } = table.structs.sockFprog
  const count = bpf.byteLength / instructionSize
  if (!Number.isInteger(count) || count === 0 || count > maxBpfInstructions) {
    throw new ProgramError({ reason: "BadFilter", subject: `${at}.bpf`, detail: `${bpf.byteLength} bytes: 1 to ${maxBpfInstructions} instructions of ${instructionSize} bytes` })
  }
  const instructions = layout.bytes(bpf.slice())
  const program = new Uint8Array(size)
  new DataView(program.buffer).setUint16(len, count, true)
  const ref = layout.bytes(program)
  layout.pointerAt(ref.data + filter, instructions)
  return ref
}
