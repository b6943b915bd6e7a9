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
 * import type { SeccompData } from "kakoi/seccomp"
 *
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

const low = (value: bigint): number => Number(value & 0xffffffffn)
const high = (value: bigint): number => Number((value >> 32n) & 0xffffffffn)

/**
 * `struct seccomp_data` as the sixteen 32-bit words a filter loads (little-endian:
 * the low half of a 64-bit field comes first).
 *
 * @example
 * ```ts
 * import { seccompData } from "kakoi/seccomp"
 *
 * seccompData({ nr: 83, arch: 0xc000003e })[0] // 83
 * ```
 */
export const seccompData = (call: SeccompData): Uint32Array => fillSeccompData(new Uint32Array(seccompDataSize / 4), call)

/**
 * Writes a call into sixteen seccomp_data words (zeroing missing arguments), for callers that reuse one buffer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, decodeReturn, evaluate, fillSeccompData, policy, prepare } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 * const program = prepare(compiled.bpf)
 * // One buffer for many calls, as a simulator checking a whole table does.
 * const words = new Uint32Array(16)
 * decodeReturn(evaluate(program, fillSeccompData(words, { nr: 0, arch: 0xc000003e }))).action // { kind: "allow" }: read
 * decodeReturn(evaluate(program, fillSeccompData(words, { nr: 83, arch: 0xc000003e }))).action // { kind: "errno", errno: 1 }: mkdir
 * ```
 */
export const fillSeccompData = (words: Uint32Array, call: SeccompData): Uint32Array => {
  words[0] = call.nr >>> 0
  words[1] = call.arch >>> 0
  const ip = call.instructionPointer ?? 0n
  words[2] = low(ip)
  words[3] = high(ip)
  const args = call.args ?? []
  for (let index = 0; index < 6; index++) {
    const value = args[index]
    words[4 + 2 * index] = value === undefined ? 0 : low(value)
    words[5 + 2 * index] = value === undefined ? 0 : high(value)
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
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { arg, compile, evaluate, policy, prepare, seccompData, type Trace } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EACCES", "socket", arg(0).eq(2)), { default: "allow" })), layer))
 * const trace: Trace = { reads: 0 }
 * evaluate(prepare(compiled.bpf), seccompData({ nr: 41, arch: 0xc000003e, args: [2n] }), trace)
 * const readsArgs = (trace.reads & ~0xf) !== 0 // true: the socket rule looked at an argument
 * ```
 */
export interface Trace {
  reads: number
}

// Opcodes as plain constants: the interpreter's switch compiles to a jump table over them.
const LD_W_ABS = op.LD | op.W | op.ABS
const LD_W_LEN = op.LD | op.W | op.LEN
const LDX_W_LEN = op.LDX | op.W | op.LEN
const LD_IMM = op.LD | op.IMM
const LDX_IMM = op.LDX | op.IMM
const LD_MEM = op.LD | op.MEM
const LDX_MEM = op.LDX | op.MEM
const ST = op.ST
const STX = op.STX
const TAX = op.MISC | op.TAX
const TXA = op.MISC | op.TXA
const RET_K = op.RET | op.K
const RET_A = op.RET | op.A
const JA = op.JMP | op.JA
const ALU_NEG = op.ALU | op.NEG
const JEQ_K = op.JMP | op.JEQ | op.K
const JGT_K = op.JMP | op.JGT | op.K
const JGE_K = op.JMP | op.JGE | op.K
const JSET_K = op.JMP | op.JSET | op.K
const AND_K = op.ALU | op.AND | op.K

/** Scratch memory, shared: prepare() proved every load reads a word this run stored first. */
const memory = new Uint32Array(16)

/**
 * Runs a checked program over seccomp_data words; returns the filter's 32-bit
 * result (SECCOMP_RET_*: action in the high 16 bits, data in the low 16).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, decodeReturn, evaluate, policy, prepare, seccompData } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 *
 * const ret = evaluate(prepare(compiled.bpf), seccompData({ nr: 83, arch: 0xc000003e }))
 * decodeReturn(ret).action // { kind: "errno", errno: 1 }
 * ```
 */
export const evaluate = (program: BpfProgram, data: Uint32Array, trace?: Trace): number => {
  const { code, jt, jf, k } = program
  let a = 0
  let x = 0
  let pc = 0
  // prepare() guarantees every jump lands inside the program and the last instruction returns.
  for (;;) {
    const c = code[pc] as number
    const K = k[pc] as number
    switch (c) {
      case LD_W_ABS:
        a = data[K >>> 2] as number
        if (trace !== undefined) trace.reads |= 1 << (K >>> 2)
        break
      case JEQ_K: // the common case of every filter, first
        pc += a === K ? (jt[pc] as number) : (jf[pc] as number)
        break
      case JGT_K:
        pc += a > K ? (jt[pc] as number) : (jf[pc] as number)
        break
      case JGE_K:
        pc += a >= K ? (jt[pc] as number) : (jf[pc] as number)
        break
      case JSET_K:
        pc += (a & K) !== 0 ? (jt[pc] as number) : (jf[pc] as number)
        break
      case RET_K: return K
      case RET_A: return a
      case JA: pc += K; break
      case AND_K: a = (a & K) >>> 0; break
      case LD_W_LEN: a = seccompDataSize; break
      case LDX_W_LEN: x = seccompDataSize; break
      case LD_IMM: a = K; break
      case LDX_IMM: x = K; break
      case LD_MEM: a = memory[K] as number; break
      case LDX_MEM: x = memory[K] as number; break
      case ST: memory[K] = a; break
      case STX: memory[K] = x; break
      case TAX: x = a; break
      case TXA: a = x; break
      case ALU_NEG: a = -a >>> 0; break
      default: {
        const operand = (c & op.X) === 0 ? K : x
        if ((c & 0x07) === op.ALU) {
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
            // Shifts by X use the low five bits, as the kernel's 32-bit shifts do.
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
          pc += taken ? (jt[pc] as number) : (jf[pc] as number)
        }
      }
    }
    pc++
  }
}
