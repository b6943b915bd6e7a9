/**
 * The classic-BPF interpreter: runs a checked seccomp filter over one
 * `struct seccomp_data` the way the kernel does (32-bit A and X registers,
 * 16 scratch words, unsigned compares, division by a zero X returning 0,
 * which is SECCOMP_RET_KILL_THREAD), and gives the filter's 32-bit return value.
 */
import type { BpfProgram } from "./program.ts"
import { op, seccompDataSize } from "./program.ts"

/**
 * One syscall as a filter sees it. `arch` is the AUDIT_ARCH value (what
 * libseccomp's arch tokens are: 0xc000003e for x86_64); 64-bit values are bigint.
 *
 * @example
 * ```ts
 * const call: SeccompData = { nr: 41, arch: 0xc000003e, args: [2n, 1n, 0n] } // socket(AF_INET, SOCK_STREAM, 0)
 * ```
 */
export interface SeccompData {
  readonly nr: number
  readonly arch: number
  readonly instructionPointer?: bigint
  /** Up to six arguments; missing ones are 0. */
  readonly args?: ReadonlyArray<bigint>
}

const low = (value: bigint): number => Number(BigInt.asUintN(32, value))
const high = (value: bigint): number => Number(BigInt.asUintN(32, value >> 32n))

/**
 * `struct seccomp_data` as the sixteen 32-bit words a filter loads (little-endian:
 * the low half of a 64-bit field comes first).
 *
 * @example
 * ```ts
 * seccompData({ nr: 83, arch: 0xc000003e })[0] // 83
 * ```
 */
export const seccompData = (call: SeccompData): Uint32Array => {
  const words = new Uint32Array(seccompDataSize / 4)
  words[0] = call.nr >>> 0
  words[1] = call.arch >>> 0
  const ip = call.instructionPointer ?? 0n
  words[2] = low(ip)
  words[3] = high(ip)
  for (const [index, value] of (call.args ?? []).slice(0, 6).entries()) {
    words[4 + 2 * index] = low(value)
    words[5 + 2 * index] = high(value)
  }
  return words
}

/**
 * What a run touched, for callers that vary arguments only where a filter
 * looks at them: bit i of `reads` is set when word i of seccomp_data was loaded
 * (bits 4 and up are the arguments).
 *
 * @example
 * ```ts
 * const trace: Trace = { reads: 0 }
 * evaluate(program, words, trace)
 * const readsArgs = (trace.reads & ~0xf) !== 0
 * ```
 */
export interface Trace {
  reads: number
}

/**
 * Runs a checked program over seccomp_data words; returns the filter's 32-bit
 * result (SECCOMP_RET_*: action in the high 16 bits, data in the low 16).
 *
 * @example
 * ```ts
 * const ret = evaluate(prepare(compiled.bpf), seccompData({ nr: 83, arch: 0xc000003e }))
 * decodeReturn(ret).action // { kind: "errno", errno: 1 }
 * ```
 */
export const evaluate = (program: BpfProgram, data: Uint32Array, trace?: Trace): number => {
  const { code, jt, jf, k } = program
  const memory = new Uint32Array(16)
  let a = 0
  let x = 0
  let pc = 0
  // prepare() guarantees every jump lands inside the program and the last instruction returns.
  for (;;) {
    const c = code[pc] ?? 0
    const K = k[pc] ?? 0
    switch (c) {
      case op.LD | op.W | op.ABS:
        a = data[K >>> 2] ?? 0
        if (trace !== undefined) trace.reads |= 1 << (K >>> 2)
        break
      case op.LD | op.W | op.LEN: a = seccompDataSize; break
      case op.LDX | op.W | op.LEN: x = seccompDataSize; break
      case op.LD | op.IMM: a = K; break
      case op.LDX | op.IMM: x = K; break
      case op.LD | op.MEM: a = memory[K] ?? 0; break
      case op.LDX | op.MEM: x = memory[K] ?? 0; break
      case op.ST: memory[K] = a; break
      case op.STX: memory[K] = x; break
      case op.MISC | op.TAX: x = a; break
      case op.MISC | op.TXA: a = x; break
      case op.ALU | op.NEG: a = -a >>> 0; break
      case op.RET | op.K: return K
      case op.RET | op.A: return a >>> 0
      case op.JMP | op.JA: pc += K; break
      default: {
        const cls = c & 0x07
        const operand = (c & op.X) === 0 ? K : x
        if (cls === op.ALU) {
          switch (c & 0xf0) {
            case op.ADD: a = (a + operand) >>> 0; break
            case op.SUB: a = (a - operand) >>> 0; break
            case op.MUL: a = Math.imul(a, operand) >>> 0; break
            case op.DIV:
              // The kernel's conversion of classic BPF ends the filter with 0 on a division by a zero X.
              if (operand === 0) return 0
              a = Math.floor(a / operand) >>> 0
              break
            case op.OR: a = (a | operand) >>> 0; break
            case op.AND: a = (a & operand) >>> 0; break
            case op.XOR: a = (a ^ operand) >>> 0; break
            // Shifts by X use the low five bits, as x86's 32-bit shifts do.
            case op.LSH: a = (a << (operand & 31)) >>> 0; break
            case op.RSH: a = a >>> (operand & 31); break
          }
        } else {
          let taken: boolean
          switch (c & 0xf0) {
            case op.JEQ: taken = a === operand; break
            case op.JGT: taken = a > operand; break
            case op.JGE: taken = a >= operand; break
            default: taken = (a & operand) !== 0 // JSET
          }
          pc += taken ? (jt[pc] ?? 0) : (jf[pc] ?? 0)
        }
      }
    }
    a >>>= 0
    pc++
  }
}
