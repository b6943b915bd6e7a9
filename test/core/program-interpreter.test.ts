/**
 * The interpreters' bytes are their source: the shipped bytes
 * (core/program/interpreter-code.ts) are what the sources assemble to today,
 * and the listing each assembler writes alongside the machine code is
 * assembled with GNU binutils (`as` for x86_64, `aarch64-linux-gnu-as` from
 * binutils-aarch64-linux-gnu) to the same bytes. Also checks the assemblers
 * refuse what they cannot encode rather than emitting something else.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { archTable, type Arch } from "../../core/arch/mod.ts"
import { A64Assembler } from "../../core/program/asm-aarch64.ts"
import { X86Assembler } from "../../core/program/asm-x86_64.ts"
import { assembleInterpreter, interpreterCodeModule } from "../../core/program/interpreter-source.ts"
import { interpreter } from "../../core/program/mod.ts"

const dir = mkdtempSync(join(tmpdir(), "kakoi-asm-"))
const binutils: Readonly<Record<Arch, { readonly as: string; readonly objcopy: string }>> = {
  x86_64: { as: "as", objcopy: "objcopy" },
  aarch64: { as: "aarch64-linux-gnu-as", objcopy: "aarch64-linux-gnu-objcopy" }
}

/** The bytes GNU as makes of `listing`. */
const gnuAs = (arch: Arch, listing: string): Uint8Array => {
  const base = join(dir, arch)
  writeFileSync(`${base}.s`, listing)
  execFileSync(binutils[arch].as, ["-o", `${base}.o`, `${base}.s`])
  execFileSync(binutils[arch].objcopy, ["-O", "binary", "-j", ".text", `${base}.o`, `${base}.bin`])
  return new Uint8Array(readFileSync(`${base}.bin`))
}

it("the shipped interpreter bytes are the file scripts/build-interpreters.ts writes from the sources", () => {
  const shipped = readFileSync(join(import.meta.dirname, "../../core/program/interpreter-code.ts"), "utf8")
  expect(shipped, "core/program/interpreter-code.ts is stale or edited: run node scripts/build-interpreters.ts").toBe(interpreterCodeModule())
})

describe.each(["x86_64", "aarch64"] as const)("the %s interpreter", (arch) => {
  it("is exactly what GNU as makes of its source's listing", () => {
    const { listing } = assembleInterpreter(arch)
    const shipped = interpreter(arch)
    expect(Buffer.from(gnuAs(arch, listing)).toString("hex")).toBe(Buffer.from(shipped.code).toString("hex"))
    expect(shipped.entry).toBe(0)
  })

  it("ships what its source assembles to, a few hundred bytes", () => {
    const { code } = interpreter(arch)
    expect(code.byteLength).toBeGreaterThan(200)
    expect(code.byteLength).toBeLessThan(1024)
    expect(assembleInterpreter(arch).code, "core/program/interpreter-code.ts is stale: run node scripts/build-interpreters.ts").toEqual(code)
  })

  it("hands out a copy, so no caller can change what the next one gets", () => {
    interpreter(arch).code.fill(0)
    expect(interpreter(arch).code.some((byte) => byte !== 0)).toBe(true)
  })
})

describe("the assemblers", () => {
  it("encode every addressing form the interpreters could need like GNU as", () => {
    const x86 = new X86Assembler()
    for (const base of ["rax", "rsp", "rbp", "r12", "r13", "r15"] as const) {
      for (const disp of [0, 8, -8, 200]) {
        x86.load64("r9", { base, disp })
        x86.loadU8("rcx", { base, disp })
        x86.store32({ base, disp }, "r10")
        x86.store32Imm({ base, disp }, 0x12345678)
      }
    }
    for (const value of [1, 127, 128, -129, 4096]) {
      x86.cmpImm("rax", value)
      x86.cmpImm("r11", value)
      x86.testImm32("rax", value)
      x86.testImm32("rsi", value)
    }
    const { code, listing } = x86.assemble()
    expect(gnuAs("x86_64", listing)).toEqual(code)

    const a64 = new A64Assembler()
    a64.label("back")
    a64.mov32(9, 0x6b6b0002)
    a64.mov32(10, 7)
    a64.ldrX(3, 31, 4088)
    a64.tbz(9, 31, "back", true)
    a64.cbzW(4, "forward")
    a64.bcond("lt", "back")
    a64.label("forward")
    const arm = a64.assemble()
    expect(gnuAs("aarch64", arm.listing)).toEqual(arm.code)
  })

  it("refuse operands they cannot encode and jumps to labels that do not exist", () => {
    const a64 = new A64Assembler()
    expect(() => a64.ldrX(0, 1, 4)).toThrow("Offset 4 is not a multiple of 8")
    expect(() => a64.addImm(0, 1, 4096)).toThrow("Immediate 4096 does not fit (0 to 4095)")
    a64.b("nowhere")
    expect(() => a64.assemble()).toThrow('Branch to the undefined label "nowhere"')
    const x86 = new X86Assembler()
    x86.jmp("nowhere")
    expect(() => x86.assemble()).toThrow('Jump to the undefined label "nowhere"')
    x86.label("twice")
    expect(() => x86.label("twice")).toThrow('Label "twice" is defined twice')
  })
})
