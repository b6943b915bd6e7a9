/**
 * Classic BPF programs as the kernel's seccomp loader sees them: `struct
 * sock_filter` (u16 code, u8 jt, u8 jf, u32 k; little-endian on x86_64)
 * decoded into typed arrays, and checked exactly as seccomp_check_filter and
 * bpf_check_classic check them (allowed opcodes, aligned loads inside
 * seccomp_data, jumps in range, initialised scratch memory, a final return).
 * The opcode values are the classic BPF ABI (linux/filter.h, linux/bpf_common.h).
 */
import { BpfError } from "./errors.ts"

/**
 * The kernel's BPF_MAXINSNS.
 *
 * @example
 * ```ts
 * import { maxInstructions } from "./program.ts"
 *
 * maxInstructions // 4096: a longer filter fails to load (policy error "TooLarge")
 * ```
 */
export const maxInstructions = 4096
/**
 * sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6].
 *
 * @example
 * ```ts
 * import { seccompDataSize } from "./program.ts"
 *
 * seccompDataSize // 64: 4 + 4 + 8 + 6 * 8 bytes
 * ```
 */
export const seccompDataSize = 64
const memoryWords = 16

/**
 * Opcode parts (linux/bpf_common.h).
 *
 * @example
 * ```ts
 * import { op } from "./program.ts"
 *
 * op.RET | op.K // 6: BPF_RET | BPF_K, "return the constant"
 * ```
 */
export const op = {
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06, MISC: 0x07,
  W: 0x00, IMM: 0x00, ABS: 0x20, MEM: 0x60, LEN: 0x80,
  K: 0x00, X: 0x08, A: 0x10,
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70, NEG: 0x80, XOR: 0xa0,
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40,
  TAX: 0x00, TXA: 0x80
} as const

/** Every opcode seccomp_check_filter lets through. */
const allowed = new Set<number>([
  op.RET | op.K, op.RET | op.A,
  ...[op.ADD, op.SUB, op.MUL, op.DIV, op.AND, op.OR, op.XOR, op.LSH, op.RSH].flatMap((alu) => [op.ALU | alu | op.K, op.ALU | alu | op.X]),
  op.ALU | op.NEG,
  op.LD | op.W | op.ABS, op.LD | op.W | op.LEN, op.LDX | op.W | op.LEN,
  op.LD | op.IMM, op.LDX | op.IMM, op.MISC | op.TAX, op.MISC | op.TXA,
  op.LD | op.MEM, op.LDX | op.MEM, op.ST, op.STX,
  op.JMP | op.JA,
  ...[op.JEQ, op.JGE, op.JGT, op.JSET].flatMap((jump) => [op.JMP | jump | op.K, op.JMP | jump | op.X])
])

/**
 * A decoded, checked seccomp filter, ready for `evaluate`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy, prepare, type BpfProgram } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 *
 * const program: BpfProgram = prepare(compiled.bpf)
 * program.length // compiled.instructions
 * ```
 */
export interface BpfProgram {
  readonly length: number
  readonly code: Uint16Array
  readonly jt: Uint8Array
  readonly jf: Uint8Array
  readonly k: Uint32Array
}

const refuse = (reason: BpfError["reason"], instruction: number | undefined, detail: string): never => {
  throw new BpfError({ reason, instruction, detail })
}

/** check_load_and_stores: every scratch word loaded must have been stored on every path to the load. */
const checkMemory = (program: BpfProgram): void => {
  const all = (1 << memoryWords) - 1
  const masks = new Uint32Array(program.length).fill(all)
  let valid = 0
  for (let pc = 0; pc < program.length; pc++) {
    valid &= masks[pc] ?? all
    const code = program.code[pc] ?? 0
    const k = program.k[pc] ?? 0
    const cls = code & 0x07
    if (code === op.ST || code === op.STX) valid |= 1 << k
    else if (code === (op.LD | op.MEM) || code === (op.LDX | op.MEM)) {
      if ((valid & (1 << k)) === 0) refuse("BadMemory", pc, `loads scratch word M[${k}], which is not stored on every path before it`)
    } else if (cls === op.JMP) {
      const targets = code === op.JMP ? [pc + 1 + k] : [pc + 1 + (program.jt[pc] ?? 0), pc + 1 + (program.jf[pc] ?? 0)]
      for (const target of targets) masks[target] = (masks[target] ?? all) & valid
      valid = all
    } else if (cls === op.RET) valid = all
  }
}

/**
 * Decodes and checks raw `struct sock_filter` bytes (what `compile()` returns
 * and `kakoi export --format bpf` writes); throws `BpfError` for anything the
 * kernel would refuse to load.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, evaluate, policy, prepare, seccompData } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 *
 * const program = prepare(compiled.bpf)
 * evaluate(program, seccompData({ nr: 83, arch: 0xc000003e })) // 0x50001 for errno EPERM
 * ```
 */
export const prepare = (bytes: Uint8Array): BpfProgram => {
  if (bytes.length % 8 !== 0) refuse("Truncated", undefined, `${bytes.length} bytes is not a whole number of 8-byte instructions`)
  const length = bytes.length / 8
  if (length === 0) refuse("Empty", undefined, "the program has no instructions")
  if (length > maxInstructions) refuse("TooLong", undefined, `${length} instructions, above the kernel's limit of ${maxInstructions}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const program: BpfProgram = { length, code: new Uint16Array(length), jt: new Uint8Array(length), jf: new Uint8Array(length), k: new Uint32Array(length) }
  for (let pc = 0; pc < length; pc++) {
    const code = view.getUint16(pc * 8, true)
    const jt = view.getUint8(pc * 8 + 2)
    const jf = view.getUint8(pc * 8 + 3)
    const k = view.getUint32(pc * 8 + 4, true)
    program.code[pc] = code
    program.jt[pc] = jt
    program.jf[pc] = jf
    program.k[pc] = k
    if (!allowed.has(code)) refuse("BadInstruction", pc, `opcode 0x${code.toString(16)} is not allowed in a seccomp filter`)
    const cls = code & 0x07
    if (code === (op.LD | op.W | op.ABS) && (k % 4 !== 0 || k >= seccompDataSize)) {
      refuse("BadOffset", pc, `loads offset ${k}, outside the 64 bytes of struct seccomp_data or not 4-byte aligned`)
    }
    if ((code === op.ST || code === op.STX || code === (op.LD | op.MEM) || code === (op.LDX | op.MEM)) && k >= memoryWords) {
      refuse("BadMemory", pc, `scratch word ${k} does not exist (M[0] to M[15])`)
    }
    if (code === (op.ALU | op.DIV | op.K) && k === 0) refuse("BadConstant", pc, "divides by the constant 0")
    if ((code === (op.ALU | op.LSH | op.K) || code === (op.ALU | op.RSH | op.K)) && k >= 32) refuse("BadConstant", pc, `shifts by ${k}, 32 or more`)
    if (cls === op.JMP) {
      const far = code === op.JMP ? k : Math.max(jt, jf)
      if (pc + 1 + far >= length) refuse("BadJump", pc, `jumps ${far} past instruction ${pc + 1}, beyond the end of the ${length}-instruction program`)
    }
  }
  if (((program.code[length - 1] ?? 0) & 0x07) !== op.RET) refuse("NoReturn", length - 1, "the last instruction is not a return")
  checkMemory(program)
  return program
}
