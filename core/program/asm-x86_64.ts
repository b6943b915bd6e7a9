/**
 * A tiny x86_64 assembler: exactly the instructions the child-program
 * interpreter uses (interpreter-x86_64.ts), with labels. Every instruction is
 * recorded twice, as machine code and as a line of GNU `as` Intel syntax, so a
 * test can assemble the same listing with binutils and compare the bytes: the
 * encodings here are checked against a real assembler, not against our memory
 * of the manual.
 *
 * Encoding choices match what `as` picks by default (8-bit immediates and
 * displacements when they fit, the accumulator's short forms, register moves
 * with opcode 0x89), except that every jump is rel32, which the listing asks
 * for with `{disp32}`: one pass, no relaxation.
 */

/** General-purpose registers by their encoding number. */
const names64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"] as const
const names32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"] as const

/**
 * A register, named by its 64-bit name; 32-bit instructions use its low half.
 *
 * @example
 * ```ts
 * const op: Reg = "rbx"
 * ```
 */
export type Reg = (typeof names64)[number]

/**
 * A memory operand: `[base + disp]`.
 *
 * @example
 * ```ts
 * const field: Mem = { base: "rbx", disp: 8 }
 * ```
 */
export interface Mem {
  readonly base: Reg
  readonly disp: number
}

/**
 * Condition codes of jcc.
 *
 * @example
 * ```ts
 * const unsignedAtLeast: Cond = "ae"
 * ```
 */
export type Cond = "e" | "ne" | "ae" | "b" | "a" | "be" | "l" | "ge"
const condCodes: Readonly<Record<Cond, number>> = { b: 0x2, ae: 0x3, e: 0x4, ne: 0x5, be: 0x6, a: 0x7, l: 0xc, ge: 0xd }

const num = (reg: Reg): number => names64.indexOf(reg)
const low = (reg: Reg): string => names32[num(reg)] ?? reg
const fitsI8 = (value: number): boolean => value >= -128 && value <= 127
const hex = (value: number): string => (value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`)
const memText = (mem: Mem): string => `[${mem.base}${mem.disp === 0 ? "" : mem.disp < 0 ? ` - ${-mem.disp}` : ` + ${mem.disp}`}]`

const le32 = (value: number): Array<number> => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]

/** REX prefix, omitted when it would be 0x40 (no bit set). */
const rex = (w: boolean, reg: number, base: number): Array<number> => {
  const value = 0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | (base >> 3)
  return value === 0x40 ? [] : [value]
}

/** ModRM (+SIB, +displacement) for a register `reg` field and a memory operand. */
const modrmMem = (reg: number, mem: Mem): Array<number> => {
  const base = num(mem.base)
  const rm = base & 7
  const sib = rm === 4 ? [0x24] : []
  if (mem.disp === 0 && rm !== 5) return [(reg & 7) << 3 | rm, ...sib]
  if (fitsI8(mem.disp)) return [0x40 | (reg & 7) << 3 | rm, ...sib, mem.disp & 0xff]
  return [0x80 | (reg & 7) << 3 | rm, ...sib, ...le32(mem.disp)]
}

const modrmReg = (reg: number, rm: number): number => 0xc0 | (reg & 7) << 3 | (rm & 7)

interface Piece {
  readonly bytes: ReadonlyArray<number>
  readonly text: string
  /** A rel32 to this label fills the last four bytes. */
  readonly target?: string
  readonly label?: string
}

/**
 * Collects instructions and labels; `assemble()` resolves the jumps.
 *
 * @example
 * ```ts
 * const asm = new X86Assembler()
 * asm.label("top")
 * asm.movImm32("rax", 60)
 * asm.syscall()
 * asm.jmp("top")
 * asm.assemble().code.length // 5 + 2 + 5
 * ```
 */
export class X86Assembler {
  readonly #pieces: Array<Piece> = []

  #emit(bytes: ReadonlyArray<number>, text: string): void {
    this.#pieces.push({ bytes, text })
  }

  label(name: string): void {
    if (this.#pieces.some((piece) => piece.label === name)) throw new Error(`Label "${name}" is defined twice`)
    this.#pieces.push({ bytes: [], text: `${name}:`, label: name })
  }

  /** mov r64, qword [m] */
  load64(dst: Reg, mem: Mem): void {
    this.#emit([...rex(true, num(dst), num(mem.base)), 0x8b, ...modrmMem(num(dst), mem)], `mov ${dst}, qword ptr ${memText(mem)}`)
  }

  /** mov r32, dword [m] (zero-extends) */
  load32(dst: Reg, mem: Mem): void {
    this.#emit([...rex(false, num(dst), num(mem.base)), 0x8b, ...modrmMem(num(dst), mem)], `mov ${low(dst)}, dword ptr ${memText(mem)}`)
  }

  /** movsxd r64, dword [m] */
  load32Signed(dst: Reg, mem: Mem): void {
    this.#emit([...rex(true, num(dst), num(mem.base)), 0x63, ...modrmMem(num(dst), mem)], `movsxd ${dst}, dword ptr ${memText(mem)}`)
  }

  /** movzx r32, byte [m] */
  loadU8(dst: Reg, mem: Mem): void {
    this.#emit([...rex(false, num(dst), num(mem.base)), 0x0f, 0xb6, ...modrmMem(num(dst), mem)], `movzx ${low(dst)}, byte ptr ${memText(mem)}`)
  }

  /** movzx r32, word [m] */
  loadU16(dst: Reg, mem: Mem): void {
    this.#emit([...rex(false, num(dst), num(mem.base)), 0x0f, 0xb7, ...modrmMem(num(dst), mem)], `movzx ${low(dst)}, word ptr ${memText(mem)}`)
  }

  /** mov qword [m], r64 */
  store64(mem: Mem, src: Reg): void {
    this.#emit([...rex(true, num(src), num(mem.base)), 0x89, ...modrmMem(num(src), mem)], `mov qword ptr ${memText(mem)}, ${src}`)
  }

  /** mov dword [m], r32 */
  store32(mem: Mem, src: Reg): void {
    this.#emit([...rex(false, num(src), num(mem.base)), 0x89, ...modrmMem(num(src), mem)], `mov dword ptr ${memText(mem)}, ${low(src)}`)
  }

  /** mov dword [m], imm32 */
  store32Imm(mem: Mem, value: number): void {
    this.#emit([...rex(false, 0, num(mem.base)), 0xc7, ...modrmMem(0, mem), ...le32(value)], `mov dword ptr ${memText(mem)}, ${hex(value)}`)
  }

  /** mov r64, r64 */
  mov(dst: Reg, src: Reg): void {
    this.#emit([...rex(true, num(src), num(dst)), 0x89, modrmReg(num(src), num(dst))], `mov ${dst}, ${src}`)
  }

  /** mov r32, imm32 (zero-extends into the 64-bit register) */
  movImm32(dst: Reg, value: number): void {
    this.#emit([...rex(false, 0, num(dst)), 0xb8 + (num(dst) & 7), ...le32(value)], `mov ${low(dst)}, ${hex(value)}`)
  }

  /** add r64, r64 */
  add(dst: Reg, src: Reg): void {
    this.#emit([...rex(true, num(src), num(dst)), 0x01, modrmReg(num(src), num(dst))], `add ${dst}, ${src}`)
  }

  /** sub r64, r64 */
  sub(dst: Reg, src: Reg): void {
    this.#emit([...rex(true, num(src), num(dst)), 0x29, modrmReg(num(src), num(dst))], `sub ${dst}, ${src}`)
  }

  /** cmp r64, r64 (flags of left - right) */
  cmp(left: Reg, right: Reg): void {
    this.#emit([...rex(true, num(right), num(left)), 0x39, modrmReg(num(right), num(left))], `cmp ${left}, ${right}`)
  }

  /** cmp r32, r32 */
  cmp32(left: Reg, right: Reg): void {
    this.#emit([...rex(false, num(right), num(left)), 0x39, modrmReg(num(right), num(left))], `cmp ${low(left)}, ${low(right)}`)
  }

  /** The 0x81/0x83 group (add, or, ..., cmp) with its accumulator short form, 32- or 64-bit. */
  #arithImm(op: number, mnemonic: string, wide: boolean, dst: Reg, value: number): void {
    const text = `${mnemonic} ${wide ? dst : low(dst)}, ${hex(value)}`
    const prefix = rex(wide, 0, num(dst))
    if (fitsI8(value)) this.#emit([...prefix, 0x83, modrmReg(op, num(dst)), value & 0xff], text)
    else if (dst === "rax") this.#emit([...prefix, 0x05 + op * 8, ...le32(value)], text)
    else this.#emit([...prefix, 0x81, modrmReg(op, num(dst)), ...le32(value)], text)
  }

  /** add r64, imm32 */
  addImm(dst: Reg, value: number): void {
    this.#arithImm(0, "add", true, dst, value)
  }

  /** sub r64, imm32 */
  subImm(dst: Reg, value: number): void {
    this.#arithImm(5, "sub", true, dst, value)
  }

  /** and r64, imm32 (sign-extended) */
  andImm(dst: Reg, value: number): void {
    this.#arithImm(4, "and", true, dst, value)
  }

  /** cmp r64, imm32 (sign-extended) */
  cmpImm(left: Reg, value: number): void {
    this.#arithImm(7, "cmp", true, left, value)
  }

  /** cmp r32, imm32 */
  cmpImm32(left: Reg, value: number): void {
    this.#arithImm(7, "cmp", false, left, value)
  }

  /** test r32, imm32 */
  testImm32(reg: Reg, value: number): void {
    const text = `test ${low(reg)}, ${hex(value)}`
    if (reg === "rax") this.#emit([0xa9, ...le32(value)], text)
    else this.#emit([...rex(false, 0, num(reg)), 0xf7, modrmReg(0, num(reg)), ...le32(value)], text)
  }

  /** test r32, r32 */
  test32(left: Reg, right: Reg): void {
    this.#emit([...rex(false, num(right), num(left)), 0x85, modrmReg(num(right), num(left))], `test ${low(left)}, ${low(right)}`)
  }

  /** xor r32, r32 (the idiom for zeroing a register) */
  xor32(dst: Reg, src: Reg): void {
    this.#emit([...rex(false, num(src), num(dst)), 0x31, modrmReg(num(src), num(dst))], `xor ${low(dst)}, ${low(src)}`)
  }

  /** mov r32, r32 */
  mov32(dst: Reg, src: Reg): void {
    this.#emit([...rex(false, num(src), num(dst)), 0x89, modrmReg(num(src), num(dst))], `mov ${low(dst)}, ${low(src)}`)
  }

  /** neg r32 */
  neg32(reg: Reg): void {
    this.#emit([...rex(false, 0, num(reg)), 0xf7, modrmReg(3, num(reg))], `neg ${low(reg)}`)
  }

  /** shl r64, imm8 */
  shlImm(reg: Reg, count: number): void {
    this.#emit([...rex(true, 0, num(reg)), 0xc1, modrmReg(4, num(reg)), count & 0xff], `shl ${reg}, ${count}`)
  }

  /** shr r64, imm8 */
  shrImm(reg: Reg, count: number): void {
    this.#emit([...rex(true, 0, num(reg)), 0xc1, modrmReg(5, num(reg)), count & 0xff], `shr ${reg}, ${count}`)
  }

  syscall(): void {
    this.#emit([0x0f, 0x05], "syscall")
  }

  /** ud2: a guaranteed fault, after calls that never return. */
  ud2(): void {
    this.#emit([0x0f, 0x0b], "ud2")
  }

  /** jcc rel32 */
  jcc(cond: Cond, target: string): void {
    this.#pieces.push({ bytes: [0x0f, 0x80 + condCodes[cond], 0, 0, 0, 0], text: `{disp32} j${cond} ${target}`, target })
  }

  /** jmp rel32 */
  jmp(target: string): void {
    this.#pieces.push({ bytes: [0xe9, 0, 0, 0, 0], text: `{disp32} jmp ${target}`, target })
  }

  /** The machine code, and the same program as a GNU `as` listing. */
  assemble(): { readonly code: Uint8Array; readonly listing: string; readonly labels: ReadonlyMap<string, number> } {
    const labels = new Map<string, number>()
    let offset = 0
    for (const piece of this.#pieces) {
      if (piece.label !== undefined) labels.set(piece.label, offset)
      offset += piece.bytes.length
    }
    const code = new Uint8Array(offset)
    offset = 0
    for (const piece of this.#pieces) {
      code.set(piece.bytes, offset)
      offset += piece.bytes.length
      if (piece.target !== undefined) {
        const destination = labels.get(piece.target)
        if (destination === undefined) throw new Error(`Jump to the undefined label "${piece.target}"`)
        new DataView(code.buffer).setInt32(offset - 4, destination - offset, true)
      }
    }
    const listing = [".intel_syntax noprefix", ...this.#pieces.map((piece) => piece.label ? piece.text : `  ${piece.text}`), ""].join("\n")
    return { code, listing, labels }
  }
}
