/**
 * The aarch64 child-program interpreter, written against the tiny assembler
 * (asm-aarch64.ts): the same loop as interpreter-x86_64.ts, op for op, over
 * the same block format (format.ts). Assembled from this source on first use;
 * a test assembles the same listing with GNU `as` and compares the bytes, and
 * another runs it under qemu-aarch64.
 *
 * Entry: glibc's clone calls it as `fn(block)`, so x0 = the block address.
 * It never returns: every path ends in execve or exit_group.
 */
import type { ArchTable } from "../arch/mod.ts"
import { A64Assembler, type XReg } from "./asm-aarch64.ts"
import type { Assembled } from "./format.ts"
import { Mode, failureExitStatus, opField, opSize, recordSize, recordTag, scratchSize, slotsOffset } from "./format.ts"

// Callee-saved registers (the kernel preserves every register but x0 anyway).
const block: XReg = 19
const op: XReg = 20
const scratch: XReg = 21
const remembered: XReg = 22 // the errno a PATH search remembers (EACCES), 0 until then
const mode: XReg = 23
const temp: XReg = 9
const sp: XReg = 31
const zero: XReg = 31
/** x8 carries the syscall number. */
const nr: XReg = 8

/**
 * Assembles the interpreter for the numbers in `table` (aarch64).
 *
 * @example
 * ```ts
 * import { aarch64 } from "../arch/aarch64.ts"
 *
 * assembleAarch64(aarch64).code.length % 4 // 0
 * ```
 */
export const assembleAarch64 = (table: ArchTable): Assembled => {
  const { syscalls, errno, constants } = table
  const a = new A64Assembler()

  a.label("entry")
  a.mov(block, 0)
  a.mov(op, 0)
  // sp is 16-aligned at entry (AAPCS64) and stays so: the scratch size is a multiple of 16.
  a.subImmPages(sp, sp, Math.floor(scratchSize / 4096))
  a.subImm(sp, sp, scratchSize % 4096)
  a.addImm(scratch, sp, 0)
  a.movz(remembered, 0)

  a.label("loop")
  // Arguments: the op's values, a slot's value where slotArgs says so, plus the scratch address where scratchArgs does.
  a.ldrb(temp, op, opField.slotArgs)
  for (let index = 0; index < 6; index++) {
    a.ldrX(index, op, opField.args + 8 * index)
    a.tbz(temp, index, `arg${index}_not_slot`)
    a.addShifted(index, scratch, index, 3)
    a.ldrX(index, index, slotsOffset)
    a.label(`arg${index}_not_slot`)
  }
  a.ldrb(temp, op, opField.scratchArgs)
  for (let index = 0; index < 6; index++) {
    a.tbz(temp, index, `arg${index}_absolute`)
    a.add(index, index, scratch)
    a.label(`arg${index}_absolute`)
  }
  a.ldrb(mode, op, opField.mode)
  a.cmpImmW(mode, Mode.failPending)
  a.bcond("eq", "fail_pending")
  a.cmpImmW(mode, Mode.jumpIfEqual)
  a.bcond("eq", "jump_if_equal")
  a.cmpImmW(mode, Mode.jumpIfNotEqual)
  a.bcond("eq", "jump_if_not_equal")
  // Mode.value: the result is arg 0, already in x0.
  a.cmpImmW(mode, Mode.value)
  a.bcond("eq", "result")
  a.ldrW(nr, op, opField.nr)
  a.svc()
  // x0 = the result: into its slot, if the op names one, then by mode.
  a.label("result")
  a.ldrb(temp, op, opField.saveSlot)
  a.cbzW(temp, "dispatch")
  a.addShifted(temp, scratch, temp, 3)
  a.strX(0, temp, slotsOffset)
  a.label("dispatch")
  a.cbzW(mode, "next") // Mode.ignore is 0
  a.cmpImmW(mode, Mode.value)
  a.bcond("eq", "next")
  a.cmpImmW(mode, Mode.check)
  a.bcond("eq", "check")
  a.cmpImmW(mode, Mode.expect)
  a.bcond("eq", "expect")
  a.cmpImmW(mode, Mode.expectOrExit)
  a.bcond("eq", "expect_or_exit")
  a.cmpImmW(mode, Mode.execTry)
  a.bcond("eq", "exec_try")
  // An op this interpreter does not know: fail rather than skip it.
  a.movz(0, 0)
  a.b("fail")

  a.label("jump_if_equal")
  a.cmpW(0, 1)
  a.bcond("ne", "next")
  a.b("jump")
  a.label("jump_if_not_equal")
  a.cmpW(0, 1)
  a.bcond("eq", "next")
  a.label("jump")
  a.ldrh(temp, op, opField.target)
  a.addShifted(op, block, temp, Math.log2(opSize))
  a.b("loop")

  // x0 + MAX_ERRNO carries out exactly when x0, as unsigned, is at least -MAX_ERRNO.
  a.label("check")
  a.cmnImm(0, constants.MAX_ERRNO)
  a.bcond("hs", "fail_negated")
  a.b("next")

  a.label("expect")
  a.ldrsw(temp, op, opField.expected)
  a.cmp(0, temp)
  a.bcond("eq", "next")
  a.cmnImm(0, constants.MAX_ERRNO)
  a.bcond("hs", "fail_negated")
  a.movz(0, 0)
  a.b("fail")

  a.label("expect_or_exit")
  a.ldrsw(temp, op, opField.expected)
  a.cmp(0, temp)
  a.bcond("eq", "next")
  a.ldrh(0, op, opField.exitStatus)
  a.movz(nr, syscalls.exit_group)
  a.svc()
  a.brk()

  a.label("exec_try")
  a.cmnImm(0, errno.ENOENT)
  a.bcond("eq", "next")
  a.cmnImm(0, errno.ENOTDIR)
  a.bcond("eq", "next")
  a.cmnImm(0, errno.EACCES)
  a.bcond("ne", "fail_negated")
  a.movz(remembered, errno.EACCES)
  a.b("next")

  a.label("fail_pending")
  a.movW(0, remembered)
  a.cbzW(0, "fail", true)
  a.ldrW(0, op, opField.expected)
  a.b("fail")

  a.label("fail_negated")
  a.negW(0, 0)
  // w0 = errno: write the failure record from the scratch area, then exit.
  a.label("fail")
  a.mov32(temp, recordTag.failure)
  a.strW(temp, scratch, 0)
  a.sub(temp, op, block)
  a.lsr(temp, temp, Math.log2(opSize))
  a.strW(temp, scratch, 4)
  a.strW(0, scratch, 8)
  a.strW(zero, scratch, 12)
  a.ldrh(0, op, opField.reportFd)
  a.mov(1, scratch)
  a.movz(2, recordSize)
  a.movz(nr, syscalls.write)
  a.svc()
  a.movz(0, failureExitStatus)
  a.movz(nr, syscalls.exit_group)
  a.svc()
  a.brk()

  a.label("next")
  a.addImm(op, op, opSize)
  a.b("loop")
  const { code, listing, labels } = a.assemble()
  return { code, listing, entry: labels.get("entry") ?? 0 }
}
