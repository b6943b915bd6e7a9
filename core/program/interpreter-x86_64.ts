/**
 * The x86_64 child-program interpreter, written against the tiny assembler
 * (asm-x86_64.ts). It is the whole of what runs in a cloned child before
 * execve: no libc, no allocation, no TLS; only its own stack and the program
 * block (format.ts). The bytes are assembled from this source when the module
 * is first asked for them; a test assembles the same listing with GNU `as` and
 * compares, so the shipped bytes are exactly this source.
 *
 * Entry: glibc's clone calls it as `fn(block)`, so rdi = the block address.
 * It never returns: every path ends in execve or exit_group.
 */
import type { ArchTable } from "../arch/mod.ts"
import { X86Assembler, type Reg } from "./asm-x86_64.ts"
import type { Assembled } from "./format.ts"
import { Mode, failureExitStatus, opField, opSize, recordSize, recordTag, scratchSize, slotsOffset } from "./format.ts"

// Registers kept across syscalls (the kernel clobbers only rax, rcx, r11).
const block: Reg = "r15"
const op: Reg = "rbx"
const scratch: Reg = "r14"
const remembered: Reg = "r13" // the errno a PATH search remembers (EACCES), 0 until then
const mode: Reg = "r12"

/** Syscall argument registers, in order. */
const argRegs: ReadonlyArray<Reg> = ["rdi", "rsi", "rdx", "r10", "r8", "r9"]

/**
 * Assembles the interpreter for the numbers in `table` (x86_64).
 *
 * @example
 * ```ts
 * import { x86_64 } from "../arch/x86_64.ts"
 *
 * assembleX86_64(x86_64).code.length > 0 // true
 * ```
 */
export const assembleX86_64 = (table: ArchTable): Assembled => {
  const { syscalls, errno, constants } = table
  const a = new X86Assembler()
  const field = (offset: number) => ({ base: op, disp: offset })

  a.label("entry")
  a.mov(block, "rdi")
  a.mov(op, "rdi")
  a.subImm("rsp", scratchSize)
  a.andImm("rsp", -16)
  a.mov(scratch, "rsp")
  a.xor32(remembered, remembered)

  a.label("loop")
  // Arguments: the op's values, a slot's value where slotArgs says so, plus the scratch address where scratchArgs does.
  a.loadU8("rcx", field(opField.slotArgs))
  argRegs.forEach((reg, index) => {
    a.load64(reg, field(opField.args + 8 * index))
    a.testImm32("rcx", 1 << index)
    a.jcc("e", `arg${index}_not_slot`)
    a.shlImm(reg, 3)
    a.add(reg, scratch)
    a.load64(reg, { base: reg, disp: slotsOffset })
    a.label(`arg${index}_not_slot`)
  })
  a.loadU8("rcx", field(opField.scratchArgs))
  argRegs.forEach((reg, index) => {
    a.testImm32("rcx", 1 << index)
    a.jcc("e", `arg${index}_absolute`)
    a.add(reg, scratch)
    a.label(`arg${index}_absolute`)
  })
  a.loadU8(mode, field(opField.mode))
  a.cmpImm32(mode, Mode.failPending)
  a.jcc("e", "fail_pending")
  a.cmpImm32(mode, Mode.jumpIfEqual)
  a.jcc("e", "jump_if_equal")
  a.cmpImm32(mode, Mode.jumpIfNotEqual)
  a.jcc("e", "jump_if_not_equal")
  a.cmpImm32(mode, Mode.value)
  a.jcc("e", "value")
  a.load32("rax", field(opField.nr))
  a.syscall()
  a.jmp("result")
  a.label("value")
  a.mov("rax", "rdi")
  // rax = the result: into its slot, if the op names one, then by mode.
  a.label("result")
  a.loadU8("rcx", field(opField.saveSlot))
  a.test32("rcx", "rcx")
  a.jcc("e", "dispatch")
  a.shlImm("rcx", 3)
  a.add("rcx", scratch)
  a.store64({ base: "rcx", disp: slotsOffset }, "rax")
  a.label("dispatch")
  a.test32(mode, mode) // Mode.ignore is 0
  a.jcc("e", "next")
  a.cmpImm32(mode, Mode.value)
  a.jcc("e", "next")
  a.cmpImm32(mode, Mode.check)
  a.jcc("e", "check")
  a.cmpImm32(mode, Mode.expect)
  a.jcc("e", "expect")
  a.cmpImm32(mode, Mode.expectOrExit)
  a.jcc("e", "expect_or_exit")
  a.cmpImm32(mode, Mode.execTry)
  a.jcc("e", "exec_try")
  // An op this interpreter does not know: fail rather than skip it.
  a.xor32("rax", "rax")
  a.jmp("fail")

  a.label("jump_if_equal")
  a.cmp32("rdi", "rsi")
  a.jcc("ne", "next")
  a.jmp("jump")
  a.label("jump_if_not_equal")
  a.cmp32("rdi", "rsi")
  a.jcc("e", "next")
  a.label("jump")
  a.loadU16("rcx", field(opField.target))
  a.shlImm("rcx", Math.log2(opSize))
  a.mov(op, block)
  a.add(op, "rcx")
  a.jmp("loop")

  a.label("check")
  a.cmpImm("rax", -constants.MAX_ERRNO)
  a.jcc("ae", "fail_negated")
  a.jmp("next")

  a.label("expect")
  a.load32Signed("rcx", field(opField.expected))
  a.cmp("rax", "rcx")
  a.jcc("e", "next")
  a.cmpImm("rax", -constants.MAX_ERRNO)
  a.jcc("ae", "fail_negated")
  a.xor32("rax", "rax")
  a.jmp("fail")

  a.label("expect_or_exit")
  a.load32Signed("rcx", field(opField.expected))
  a.cmp("rax", "rcx")
  a.jcc("e", "next")
  a.loadU16("rdi", field(opField.exitStatus))
  a.movImm32("rax", syscalls.exit_group)
  a.syscall()
  a.ud2()

  a.label("exec_try")
  a.cmpImm("rax", -errno.ENOENT)
  a.jcc("e", "next")
  a.cmpImm("rax", -errno.ENOTDIR)
  a.jcc("e", "next")
  a.cmpImm("rax", -errno.EACCES)
  a.jcc("ne", "fail_negated")
  a.movImm32(remembered, errno.EACCES)
  a.jmp("next")

  a.label("fail_pending")
  a.mov32("rax", remembered)
  a.test32("rax", "rax")
  a.jcc("ne", "fail")
  a.load32("rax", field(opField.expected))
  a.jmp("fail")

  a.label("fail_negated")
  a.neg32("rax")
  // eax = errno: write the failure record from the scratch area, then exit.
  a.label("fail")
  a.store32Imm({ base: scratch, disp: 0 }, recordTag.failure)
  a.mov("rcx", op)
  a.sub("rcx", block)
  a.shrImm("rcx", Math.log2(opSize))
  a.store32({ base: scratch, disp: 4 }, "rcx")
  a.store32({ base: scratch, disp: 8 }, "rax")
  a.store32Imm({ base: scratch, disp: 12 }, 0)
  a.loadU16("rdi", field(opField.reportFd))
  a.mov("rsi", scratch)
  a.movImm32("rdx", recordSize)
  a.movImm32("rax", syscalls.write)
  a.syscall()
  a.movImm32("rdi", failureExitStatus)
  a.movImm32("rax", syscalls.exit_group)
  a.syscall()
  a.ud2()

  a.label("next")
  a.addImm(op, opSize)
  a.jmp("loop")
  const { code, listing, labels } = a.assemble()
  return { code, listing, entry: labels.get("entry") ?? 0 }
}
