/**
 * A fake child for the program compiler's unit tests: interprets a program
 * block's ops in TypeScript exactly as the machine-code interpreters do
 * (core/program/format.ts), over the image bytes at a made-up address, and
 * hands each syscall to a test-supplied kernel with its pointer arguments read
 * back out of the block (strings, argv/envp tables, structs, BPF).
 */
import { archTable, type Arch, type SyscallName } from "../../core/arch/mod.ts"
import { Mode, failureExitStatus, opField, opSize, recordSize, recordTag, scratchSize, slotsOffset } from "../../core/program/format.ts"
import type { ChildProgram } from "../../core/program/mod.ts"

/** A syscall as the fake kernel sees it. */
export interface Call {
  readonly name: SyscallName
  readonly args: ReadonlyArray<bigint>
  /** The NUL-terminated string at an argument's address (for paths). */
  readonly string: (index: number) => string
  /** The NULL-terminated table of strings at an argument's address (argv, envp). */
  readonly strings: (index: number) => ReadonlyArray<string>
  /** `length` bytes at an argument's address. */
  readonly bytes: (index: number, length: number) => Uint8Array
}

/** How the fake child ended. */
export interface Ending {
  readonly calls: ReadonlyArray<Call>
  /** exit_group's status, or "exec" when an execve succeeded. */
  readonly exit: number | "exec"
  /** Bytes written per fd. */
  readonly written: ReadonlyMap<number, Uint8Array>
}

/** Returns the raw result: a value, or -errno. */
export type FakeKernel = (call: Call) => bigint

const address = 0x7f1200000000n
const scratchAddress = 0x7ff000000000n

export const runFake = (program: ChildProgram, arch: Arch, kernel: FakeKernel): Ending => {
  const table = archTable(arch)
  const names = new Map(Object.entries(table.syscalls).map(([name, nr]) => [nr, name as SyscallName]))
  const block = program.image(address)
  const blockView = new DataView(block.buffer)
  const scratch = new Uint8Array(scratchSize)
  const memory = (at: bigint, length: number): Uint8Array => {
    if (at >= address && at + BigInt(length) <= address + BigInt(block.byteLength)) return block.subarray(Number(at - address), Number(at - address) + length)
    if (at >= scratchAddress && at + BigInt(length) <= scratchAddress + BigInt(scratchSize)) return scratch.subarray(Number(at - scratchAddress), Number(at - scratchAddress) + length)
    throw new Error(`The program points outside its block and scratch: 0x${at.toString(16)}`)
  }
  const cString = (at: bigint): string => {
    let end = at
    while (memory(end, 1)[0] !== 0) end++
    return new TextDecoder().decode(memory(at, Number(end - at)))
  }
  const pointers = (at: bigint): ReadonlyArray<bigint> => {
    const list: Array<bigint> = []
    for (let entry = at; ; entry += 8n) {
      const pointer = new DataView(memory(entry, 8).slice().buffer).getBigUint64(0, true)
      if (pointer === 0n) return list
      list.push(pointer)
    }
  }
  const calls: Array<Call> = []
  const written = new Map<number, Uint8Array>()
  const write = (fd: number, bytes: Uint8Array): void => {
    written.set(fd, Uint8Array.from([...(written.get(fd) ?? []), ...bytes]))
  }
  let remembered = 0
  const scratchView = new DataView(scratch.buffer)
  const slot = (index: number): bigint => scratchView.getBigUint64(slotsOffset + 8 * index, true)
  const isError = (result: bigint): boolean => BigInt.asUintN(64, result) >= BigInt.asUintN(64, BigInt(-table.constants.MAX_ERRNO))

  for (let index = 0, steps = 0; ; index++, steps++) {
    if (steps > 10_000) throw new Error("The program loops")
    const base = index * opSize
    if (base >= block.byteLength) throw new Error("The program ran past its last op")
    const mode = blockView.getUint8(base + opField.mode)
    const scratchArgs = blockView.getUint8(base + opField.scratchArgs)
    const expected = BigInt(blockView.getInt32(base + opField.expected, true))
    const fail = (errno: number): Ending => {
      const record = new Uint8Array(recordSize)
      const view = new DataView(record.buffer)
      view.setUint32(0, recordTag.failure, true)
      view.setUint32(4, index, true)
      view.setInt32(8, errno, true)
      write(blockView.getUint16(base + opField.reportFd, true), record)
      return { calls, exit: failureExitStatus, written }
    }
    if (mode === Mode.failPending) return fail(remembered !== 0 ? remembered : Number(expected))
    const slotArgs = blockView.getUint8(base + opField.slotArgs)
    const args = Array.from({ length: 6 }, (_, position) => {
      const value = blockView.getBigUint64(base + opField.args + 8 * position, true)
      const resolved = (slotArgs & (1 << position)) !== 0 ? slot(Number(value)) : value
      return (scratchArgs & (1 << position)) !== 0 ? scratchAddress + resolved : resolved
    })
    const low32 = (value: bigint | undefined): bigint => BigInt.asUintN(32, value ?? 0n)
    if (mode === Mode.jumpIfEqual || mode === Mode.jumpIfNotEqual) {
      if ((low32(args[0]) === low32(args[1])) === (mode === Mode.jumpIfEqual)) index = blockView.getUint16(base + opField.target, true) - 1
      continue
    }
    const saveSlot = blockView.getUint8(base + opField.saveSlot)
    const save = (result: bigint): void => {
      if (saveSlot !== 0) scratchView.setBigUint64(slotsOffset + 8 * saveSlot, BigInt.asUintN(64, result), true)
    }
    if (mode === Mode.value) {
      save(args[0] ?? 0n)
      continue
    }
    const nr = blockView.getUint32(base + opField.nr, true)
    const name = names.get(nr)
    if (name === undefined) throw new Error(`The program calls syscall ${nr}, which the ${arch} table does not name`)
    const call: Call = {
      name, args,
      string: (slot) => cString(args[slot] ?? 0n),
      strings: (slot) => pointers(args[slot] ?? 0n).map(cString),
      bytes: (slot, length) => memory(args[slot] ?? 0n, length).slice()
    }
    calls.push(call)
    if (name === "write") write(Number(args[0]), call.bytes(1, Number(args[2])))
    const result = kernel(call)
    save(result)
    if (name === "execve" && result === 0n) return { calls, exit: "exec", written }
    if (name === "exit_group") return { calls, exit: Number(args[0]), written }
    switch (mode) {
      case Mode.ignore:
        break
      case Mode.check:
        if (isError(result)) return fail(Number(-result))
        break
      case Mode.expect:
        if (result !== expected) return fail(isError(result) ? Number(-result) : 0)
        break
      case Mode.expectOrExit:
        if (result !== expected) return { calls, exit: blockView.getUint16(base + opField.exitStatus, true), written }
        break
      case Mode.execTry:
        if (result === BigInt(-table.errno.EACCES)) remembered = table.errno.EACCES
        else if (result !== BigInt(-table.errno.ENOENT) && result !== BigInt(-table.errno.ENOTDIR)) return fail(Number(-result))
        break
      default:
        return fail(0)
    }
  }
}
