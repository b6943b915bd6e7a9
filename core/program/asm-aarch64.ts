/**
 * A tiny AArch64 assembler: exactly the instructions the child-program
 * interpreter uses (interpreter-aarch64.ts), with labels. As in asm-x86_64.ts,
 * every instruction is recorded as its 32-bit encoding and as a GNU `as` line,
 * so a test can assemble the same listing with binutils and compare the bytes.
 * Registers are x0..x30 by number; 31 is xzr/wzr or sp, as the instruction
 * defines it.
 */

/**
 * A general-purpose register number (0-30), or 31 (zero register or sp).
 *
 * @example
 * ```ts
 * const block: XReg = 19
 * ```
 */
export type XReg = number

/**
 * Condition codes of b.cond.
 *
 * @example
 * ```ts
 * const unsignedAtLeast: Cond = "hs"
 * ```
 */
export type Cond = "eq" | "ne" | "hs" | "lo" | "hi" | "ls" | "ge" | "lt"
const condCodes: Readonly<Record<Cond, number>> = { eq: 0, ne: 1, hs: 2, lo: 3, hi: 8, ls: 9, ge: 10, lt: 11 }

/** Register names as `as` writes them; `zeroOrSp` says what 31 means in that operand. */
const x = (reg: XReg, zeroOrSp: "zr" | "sp" = "zr"): string => (reg === 31 ? (zeroOrSp === "sp" ? "sp" : "xzr") : `x${reg}`)
const w = (reg: XReg): string => (reg === 31 ? "wzr" : `w${reg}`)

const checkReg = (reg: XReg): number => {
  if (!Number.isInteger(reg) || reg < 0 || reg > 31) throw new Error(`No register ${reg}`)
  return reg
}

const checkImm = (value: number, limit: number, what: string): number => {
  if (!Number.isInteger(value) || value < 0 || value >= limit) throw new Error(`${what} ${value} does not fit (0 to ${limit - 1})`)
  return value
}

type Fixup = { readonly kind: "b" | "bcond" | "cb" | "tb"; readonly target: string }

interface Piece {
  readonly word?: number
  readonly text: string
  readonly fixup?: Fixup
  readonly label?: string
}

/**
 * Collects instructions and labels; `assemble()` resolves the branches.
 *
 * @example
 * ```ts
 * const asm = new A64Assembler()
 * asm.label("top")
 * asm.movz(8, 93)
 * asm.svc()
 * asm.b("top")
 * asm.assemble().code.length // 12
 * ```
 */
export class A64Assembler {
  readonly #pieces: Array<Piece> = []

  #emit(word: number, text: string): void {
    this.#pieces.push({ word: word >>> 0, text })
  }

  label(name: string): void {
    if (this.#pieces.some((piece) => piece.label === name)) throw new Error(`Label "${name}" is defined twice`)
    this.#pieces.push({ text: `${name}:`, label: name })
  }

  /** Loads with an unsigned, size-scaled offset: `ldr{b,h,,sw} Rt, [Xn, #offset]`. */
  #load(base: number, scale: number, rt: XReg, rn: XReg, offset: number, text: string): void {
    if (offset % scale !== 0) throw new Error(`Offset ${offset} is not a multiple of ${scale}`)
    const imm = checkImm(offset / scale, 4096, "Offset")
    this.#emit(base | imm << 10 | checkReg(rn) << 5 | checkReg(rt), `${text}, [${x(rn, "sp")}, #${offset}]`)
  }

  /** ldrb Wt, [Xn, #offset] */
  ldrb(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0x39400000, 1, rt, rn, offset, `ldrb ${w(rt)}`)
  }

  /** ldrh Wt, [Xn, #offset] */
  ldrh(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0x79400000, 2, rt, rn, offset, `ldrh ${w(rt)}`)
  }

  /** ldr Wt, [Xn, #offset] (zero-extends) */
  ldrW(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0xb9400000, 4, rt, rn, offset, `ldr ${w(rt)}`)
  }

  /** ldrsw Xt, [Xn, #offset] */
  ldrsw(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0xb9800000, 4, rt, rn, offset, `ldrsw ${x(rt)}`)
  }

  /** ldr Xt, [Xn, #offset] */
  ldrX(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0xf9400000, 8, rt, rn, offset, `ldr ${x(rt)}`)
  }

  /** str Xt, [Xn, #offset] */
  strX(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0xf9000000, 8, rt, rn, offset, `str ${x(rt)}`)
  }

  /** str Wt, [Xn, #offset] */
  strW(rt: XReg, rn: XReg, offset: number): void {
    this.#load(0xb9000000, 4, rt, rn, offset, `str ${w(rt)}`)
  }

  /** add Xd, Xn, #imm (Xd/Xn may be sp) */
  addImm(rd: XReg, rn: XReg, imm: number): void {
    this.#emit(0x91000000 | checkImm(imm, 4096, "Immediate") << 10 | checkReg(rn) << 5 | checkReg(rd), `add ${x(rd, "sp")}, ${x(rn, "sp")}, #${imm}`)
  }

  /** sub Xd, Xn, #imm (Xd/Xn may be sp) */
  subImm(rd: XReg, rn: XReg, imm: number): void {
    this.#emit(0xd1000000 | checkImm(imm, 4096, "Immediate") << 10 | checkReg(rn) << 5 | checkReg(rd), `sub ${x(rd, "sp")}, ${x(rn, "sp")}, #${imm}`)
  }

  /** sub Xd, Xn, #imm, lsl #12 (Xd/Xn may be sp): subtracts imm * 4096 */
  subImmPages(rd: XReg, rn: XReg, pages: number): void {
    this.#emit(0xd1400000 | checkImm(pages, 4096, "Immediate") << 10 | checkReg(rn) << 5 | checkReg(rd), `sub ${x(rd, "sp")}, ${x(rn, "sp")}, #${pages}, lsl #12`)
  }

  /** add Xd, Xn, Xm */
  add(rd: XReg, rn: XReg, rm: XReg): void {
    this.#emit(0x8b000000 | checkReg(rm) << 16 | checkReg(rn) << 5 | checkReg(rd), `add ${x(rd)}, ${x(rn)}, ${x(rm)}`)
  }

  /** add Xd, Xn, Xm, lsl #shift */
  addShifted(rd: XReg, rn: XReg, rm: XReg, shift: number): void {
    this.#emit(0x8b000000 | checkReg(rm) << 16 | checkImm(shift, 64, "Shift") << 10 | checkReg(rn) << 5 | checkReg(rd), `add ${x(rd)}, ${x(rn)}, ${x(rm)}, lsl #${shift}`)
  }

  /** sub Xd, Xn, Xm */
  sub(rd: XReg, rn: XReg, rm: XReg): void {
    this.#emit(0xcb000000 | checkReg(rm) << 16 | checkReg(rn) << 5 | checkReg(rd), `sub ${x(rd)}, ${x(rn)}, ${x(rm)}`)
  }

  /** neg Wd, Wm */
  negW(rd: XReg, rm: XReg): void {
    this.#emit(0x4b0003e0 | checkReg(rm) << 16 | checkReg(rd), `neg ${w(rd)}, ${w(rm)}`)
  }

  /** mov Xd, Xm (orr with xzr; not for sp) */
  mov(rd: XReg, rm: XReg): void {
    this.#emit(0xaa0003e0 | checkReg(rm) << 16 | checkReg(rd), `mov ${x(rd)}, ${x(rm)}`)
  }

  /** mov Wd, Wm */
  movW(rd: XReg, rm: XReg): void {
    this.#emit(0x2a0003e0 | checkReg(rm) << 16 | checkReg(rd), `mov ${w(rd)}, ${w(rm)}`)
  }

  /** movz Wd, #imm16, lsl #shift (zeroes the upper half of Xd) */
  movz(rd: XReg, imm: number, shift: 0 | 16 = 0): void {
    this.#emit(0x52800000 | (shift / 16) << 21 | checkImm(imm, 0x10000, "Immediate") << 5 | checkReg(rd), `movz ${w(rd)}, #${imm}${shift ? `, lsl #${shift}` : ""}`)
  }

  /** movk Wd, #imm16, lsl #shift */
  movk(rd: XReg, imm: number, shift: 0 | 16 = 0): void {
    this.#emit(0x72800000 | (shift / 16) << 21 | checkImm(imm, 0x10000, "Immediate") << 5 | checkReg(rd), `movk ${w(rd)}, #${imm}${shift ? `, lsl #${shift}` : ""}`)
  }

  /** A 32-bit constant into Wd (movz, then movk when the high half is not zero). */
  mov32(rd: XReg, value: number): void {
    this.movz(rd, value & 0xffff)
    if (value >>> 16 !== 0) this.movk(rd, value >>> 16, 16)
  }

  /** lsr Xd, Xn, #shift (ubfm) */
  lsr(rd: XReg, rn: XReg, shift: number): void {
    this.#emit(0xd340fc00 | checkImm(shift, 64, "Shift") << 16 | checkReg(rn) << 5 | checkReg(rd), `lsr ${x(rd)}, ${x(rn)}, #${shift}`)
  }

  /** cmp Wn, #imm */
  cmpImmW(rn: XReg, imm: number): void {
    this.#emit(0x7100001f | checkImm(imm, 4096, "Immediate") << 10 | checkReg(rn) << 5, `cmp ${w(rn)}, #${imm}`)
  }

  /** cmn Xn, #imm: the flags of Xn + imm, i.e. of comparing Xn with -imm */
  cmnImm(rn: XReg, imm: number): void {
    this.#emit(0xb100001f | checkImm(imm, 4096, "Immediate") << 10 | checkReg(rn) << 5, `cmn ${x(rn)}, #${imm}`)
  }

  /** cmp Xn, Xm */
  cmp(rn: XReg, rm: XReg): void {
    this.#emit(0xeb00001f | checkReg(rm) << 16 | checkReg(rn) << 5, `cmp ${x(rn)}, ${x(rm)}`)
  }

  /** cmp Wn, Wm */
  cmpW(rn: XReg, rm: XReg): void {
    this.#emit(0x6b00001f | checkReg(rm) << 16 | checkReg(rn) << 5, `cmp ${w(rn)}, ${w(rm)}`)
  }

  svc(): void {
    this.#emit(0xd4000001, "svc #0")
  }

  /** brk #0: a guaranteed fault, after calls that never return. */
  brk(): void {
    this.#emit(0xd4200000, "brk #0")
  }

  b(target: string): void {
    this.#pieces.push({ word: 0x14000000, text: `b ${target}`, fixup: { kind: "b", target } })
  }

  bcond(cond: Cond, target: string): void {
    this.#pieces.push({ word: 0x54000000 | condCodes[cond], text: `b.${cond} ${target}`, fixup: { kind: "bcond", target } })
  }

  /** cbz / cbnz Wt, label */
  cbzW(rt: XReg, target: string, nonZero = false): void {
    this.#pieces.push({ word: (nonZero ? 0x35000000 : 0x34000000) | checkReg(rt), text: `${nonZero ? "cbnz" : "cbz"} ${w(rt)}, ${target}`, fixup: { kind: "cb", target } })
  }

  /** tbz / tbnz Wt, #bit, label */
  tbz(rt: XReg, bit: number, target: string, nonZero = false): void {
    const word = (nonZero ? 0x37000000 : 0x36000000) | checkImm(bit, 32, "Bit") << 19 | checkReg(rt)
    this.#pieces.push({ word, text: `${nonZero ? "tbnz" : "tbz"} ${w(rt)}, #${bit}, ${target}`, fixup: { kind: "tb", target } })
  }

  /** The machine code, and the same program as a GNU `as` listing. */
  assemble(): { readonly code: Uint8Array; readonly listing: string; readonly labels: ReadonlyMap<string, number> } {
    const labels = new Map<string, number>()
    let offset = 0
    for (const piece of this.#pieces) {
      if (piece.label !== undefined) labels.set(piece.label, offset)
      if (piece.word !== undefined) offset += 4
    }
    const code = new Uint8Array(offset)
    const view = new DataView(code.buffer)
    offset = 0
    for (const piece of this.#pieces) {
      if (piece.word === undefined) continue
      let word = piece.word
      if (piece.fixup !== undefined) {
        const destination = labels.get(piece.fixup.target)
        if (destination === undefined) throw new Error(`Branch to the undefined label "${piece.fixup.target}"`)
        const delta = (destination - offset) / 4
        const field = (bits: number, shift: number): number => {
          if (delta < -(2 ** (bits - 1)) || delta >= 2 ** (bits - 1)) throw new Error(`Branch to "${piece.fixup?.target}" is out of range`)
          return (delta & (2 ** bits - 1)) << shift
        }
        const kind = piece.fixup.kind
        word = (word | (kind === "b" ? field(26, 0) : kind === "tb" ? field(14, 5) : field(19, 5))) >>> 0
      }
      view.setUint32(offset, word, true)
      offset += 4
    }
    const listing = [...this.#pieces.map((piece) => (piece.label !== undefined ? piece.text : `  ${piece.text}`)), ""].join("\n")
    return { code, listing, labels }
  }
}
