/**
 * A checked BPF program as a JavaScript function, for throughput: the same
 * semantics as `evaluate` (evaluate.ts, the reference the tests compare with),
 * but each instruction becomes straight-line code in one `switch` over the
 * program counter, so a call runs as fast as the engine's JIT makes it
 * (classic BPF jumps only forward, so every jump is `pc = target; continue`).
 * The source is generated from the decoded numbers alone (opcodes prepare()
 * allowed, 32-bit constants, in-range jump targets): no input text reaches it.
 */
import type { Trace } from "./evaluate.ts"
import type { BpfProgram } from "./program.ts"
import { op, seccompDataSize } from "./program.ts"

/**
 * A compiled filter: seccomp_data words in, the filter's 32-bit return value out.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, compileProgram, policy, prepare, seccompData, type CompiledProgram } from "kakoi/seccomp"
 *
 * const { bpf } = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 *
 * const run: CompiledProgram = compileProgram(prepare(bpf))
 * run(seccompData({ nr: 83, arch: 0xc000003e })) // 0x50001
 * ```
 */
export type CompiledProgram = (data: Uint32Array, trace?: Trace) => number

const aluSource = (c: number, operand: string): string => {
  switch (c & 0xf0) {
    case op.ADD: return `a = (a + ${operand}) >>> 0;`
    case op.SUB: return `a = (a - ${operand}) >>> 0;`
    case op.MUL: return `a = Math.imul(a, ${operand}) >>> 0;`
    // The kernel's conversion of classic BPF ends the filter with 0 on a division by a zero X.
    case op.DIV: return `if (${operand} === 0) return 0; a = Math.floor(a / ${operand}) >>> 0;`
    case op.OR: return `a = (a | ${operand}) >>> 0;`
    case op.AND: return `a = (a & ${operand}) >>> 0;`
    case op.XOR: return `a = (a ^ ${operand}) >>> 0;`
    case op.LSH: return `a = (a << (${operand} & 31)) >>> 0;`
    case op.RSH: return `a = a >>> (${operand} & 31);`
    default: return "a = (-a) >>> 0;" // NEG
  }
}

const testSource = (c: number, operand: string): string => {
  switch (c & 0xf0) {
    case op.JEQ: return `a === ${operand}`
    case op.JGT: return `a > ${operand}`
    case op.JGE: return `a >= ${operand}`
    default: return `(a & ${operand}) !== 0`
  }
}

/** One instruction's code; control falls through to the next case unless it jumps or returns. */
const instructionSource = (program: BpfProgram, pc: number): string => {
  const c = program.code[pc] as number
  const k = program.k[pc] as number
  const goto = (target: number): string => (target === pc + 1 ? "" : `pc = ${target}; continue;`)
  switch (c & 0x07) {
    case op.LD:
      if ((c & 0xe0) === op.ABS) return `a = d[${k >>> 2}]; if (t !== undefined) t.reads |= ${1 << (k >>> 2)};`
      if ((c & 0xe0) === op.LEN) return `a = ${seccompDataSize};`
      if ((c & 0xe0) === op.MEM) return `a = m${k};`
      return `a = ${k};`
    case op.LDX:
      if ((c & 0xe0) === op.LEN) return `x = ${seccompDataSize};`
      if ((c & 0xe0) === op.MEM) return `x = m${k};`
      return `x = ${k};`
    case op.ST: return `m${k} = a;`
    case op.STX: return `m${k} = x;`
    case op.ALU: return aluSource(c, (c & op.X) === 0 ? String(k) : "x")
    case op.RET: return (c & 0x18) === op.A ? "return a;" : `return ${k};`
    case op.MISC: return (c & 0xf8) === op.TXA ? "a = x;" : "x = a;"
    default: {
      if (c === (op.JMP | op.JA)) return goto(pc + 1 + k)
      const taken = pc + 1 + (program.jt[pc] as number)
      const skipped = pc + 1 + (program.jf[pc] as number)
      const test = testSource(c, (c & op.X) === 0 ? String(k) : "x")
      if (taken === skipped) return goto(taken)
      return `if (${test}) { ${goto(taken)} } else { ${goto(skipped)} }`
    }
  }
}

const compiled = new WeakMap<BpfProgram, CompiledProgram>()

/**
 * Compiles a checked program (from `prepare`) to a function, once per program.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, compileProgram, decodeReturn, policy, prepare, seccompData } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 *
 * const run = compileProgram(prepare(compiled.bpf))
 * decodeReturn(run(seccompData({ nr: 59, arch: 0xc000003e }))).action // { kind: "allow" }
 * ```
 */
export const compileProgram = (program: BpfProgram): CompiledProgram => {
  const cached = compiled.get(program)
  if (cached !== undefined) return cached
  const cases: Array<string> = []
  for (let pc = 0; pc < program.length; pc++) cases.push(`case ${pc}: ${instructionSource(program, pc)}`)
  const memory = Array.from({ length: 16 }, (_, index) => `m${index} = 0`).join(", ")
  const body = `let a = 0, x = 0, pc = 0, ${memory};\nfor (;;) switch (pc) {\n${cases.join("\n")}\n}`
  // The source is made of numbers prepare() checked (see the module comment).
  const run = new Function("d", "t", body) as CompiledProgram
  compiled.set(program, run)
  return run
}
