/**
 * The op machinery itself (slots, value, jumps, scratch and slot arguments),
 * with blocks laid out by hand rather than compiled from steps, run by both
 * interpreters for real: natively on x86_64 and under qemu-aarch64. The
 * compiled programs use these ops only in the pid-namespace init, which qemu
 * cannot run (program-contain.test.ts runs it on x86_64).
 */
import { beforeAll, describe, expect, it } from "vitest"
import { archTable } from "../../core/arch/mod.ts"
import { BlockLayout } from "../../core/program/block.ts"
import { Mode, slotsOffset } from "../../core/program/format.ts"
import { decodeReport } from "../../core/program/report.ts"
import { machines, runProgram, type Run } from "./program-harness.ts"

describe.each(machines)("the $arch interpreter's ops", (machine) => {
  const { syscalls: sys, errno } = archTable(machine.arch)
  let harness: ReadonlyArray<string> = []
  beforeAll(() => {
    harness = machine.build()
  })
  /** Lays out ops with `build`, each reporting on the harness's control fd 13, and runs them. */
  const run = (build: (layout: BlockLayout, add: (op: Omit<Parameters<BlockLayout["op"]>[0], "reportFd" | "stage" | "subject">) => number) => void): Run => {
    const layout = new BlockLayout()
    let count = 0
    build(layout, (op) => layout.op({ ...op, reportFd: 13, stage: "test", subject: `op ${count++}` }))
    const laid = layout.finish()
    return runProgram(machine, harness, { image: laid.image, mayVfork: true, cloneFlags: 0, decode: (received) => decodeReport(laid.ops, received) })
  }
  const text = (layout: BlockLayout, value: string) => ({ ref: layout.string(value), length: new TextEncoder().encode(value).byteLength })

  it("keeps values in slots, passes them as arguments, and exits with one", () => {
    const result = run((layout, add) => {
      add({ nr: 0, mode: Mode.value, args: [41], saveSlot: 5 })
      add({ nr: 0, mode: Mode.value, args: [{ slot: 5 }], saveSlot: 6 })
      const ok = text(layout, "ok\n")
      add({ nr: sys.write, mode: Mode.check, args: [1, ok.ref, ok.length], saveSlot: 7 })
      // write's result (3 bytes) went to slot 7: write that many bytes again.
      add({ nr: sys.write, mode: Mode.check, args: [1, ok.ref, { slot: 7 }] })
      add({ nr: sys.exit_group, mode: Mode.ignore, args: [{ slot: 6 }] })
    })
    expect(result.stdout).toBe("ok\nok\n")
    expect(result.status).toBe(41 << 8)
  })

  it("jumps when the low 32 bits match (jumpIfEqual) or differ (jumpIfNotEqual), and only then", () => {
    const result = run((layout, add) => {
      const say = (word: string) => {
        const t = text(layout, word)
        return add({ nr: sys.write, mode: Mode.check, args: [1, t.ref, t.length] })
      }
      add({ nr: 0, mode: Mode.value, args: [0x1_0000_0007n], saveSlot: 1 })
      const notTaken = add({ nr: 0, mode: Mode.jumpIfNotEqual, args: [{ slot: 1 }, 7] })
      say("a")
      const taken = add({ nr: 0, mode: Mode.jumpIfEqual, args: [{ slot: 1 }, 7] })
      say("skipped")
      const target = say("b")
      layout.jumpTo(taken, target)
      const back = add({ nr: 0, mode: Mode.jumpIfNotEqual, args: [{ slot: 1 }, 8] })
      say("skipped too")
      layout.jumpTo(back, add({ nr: sys.exit_group, mode: Mode.ignore, args: [3] }))
      // Where a wrong jump would land: says so and exits 9.
      layout.jumpTo(notTaken, say("wrong"))
      add({ nr: sys.exit_group, mode: Mode.ignore, args: [9] })
    })
    expect(result.stdout).toBe("ab")
    expect(result.status).toBe(3 << 8)
  })

  it("gives scratch arguments the scratch area's address, where slots live too", () => {
    const result = run((layout, add) => {
      // "hi\n" as a 64-bit value into slot 2, then written from the slot's scratch address.
      add({ nr: 0, mode: Mode.value, args: [0x0a6968n], saveSlot: 2 })
      add({ nr: sys.write, mode: Mode.check, args: [1, { scratch: slotsOffset + 16 }, 3] })
      add({ nr: sys.exit_group, mode: Mode.ignore, args: [0] })
    })
    expect(result.stdout).toBe("hi\n")
  })

  it("fails an op with an unknown mode rather than skipping it", () => {
    const result = run((_layout, add) => {
      add({ nr: 0, mode: 99 as Mode, args: [] })
      add({ nr: sys.exit_group, mode: Mode.ignore, args: [0] })
    })
    expect(result.status).toBe(127 << 8)
    expect(result.decoded.failure).toEqual({ stage: "test", errno: 0, subject: "op 0" })
  })

  it("reports -errno of a checked call, with the op's index", () => {
    const result = run((layout, add) => {
      add({ nr: 0, mode: Mode.value, args: [1] })
      add({ nr: sys.chdir, mode: Mode.check, args: [layout.string("/no/such/dir")] })
    })
    expect(result.decoded.failure).toEqual({ stage: "test", errno: errno.ENOENT, subject: "op 1" })
  })
})
