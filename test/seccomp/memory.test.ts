/** readBytes/readString without a child: how each read outcome and the id re-check turn into typed errors. */
import { describe, expect, it } from "vitest"
import type { Notification } from "../../plugins/seccomp/notify/handler.ts"
import { attachMemory, readBytes, readString, type ChildMemory } from "../../plugins/seccomp/notify/memory.ts"

const notification = (): Notification => ({
  id: 7n, pid: 4242, syscall: 83, name: "mkdir", arch: 0xc000003e, args: [0x1000n, 0o755n, 0n, 0n, 0n, 0n], instructionPointer: 0x2000n, rule: 0
})

/** A notification whose child memory holds `bytes` at 0x1000 (and reads fewer at an "unmapped page"). */
const attached = (memory: Partial<ChildMemory> & { bytes?: Uint8Array }): Notification => {
  const n = notification()
  const bytes = memory.bytes ?? new Uint8Array()
  attachMemory(n, {
    read: memory.read ?? ((address, length) => (address === 0x1000n ? bytes.slice(0, length) : -14)),
    pending: memory.pending ?? (() => true)
  })
  return n
}

const path = new TextEncoder().encode("/etc/passwd\0garbage")

describe("reading child memory", () => {
  it("readString stops at the NUL and takes an argument index or an address", () => {
    expect(readString(attached({ bytes: path }), 0)).toBe("/etc/passwd")
    expect(readString(attached({ bytes: path }), 0x1000n)).toBe("/etc/passwd")
  })

  it("readBytes returns exactly the bytes asked for", () => {
    expect(readBytes(attached({ bytes: path }), 0, 4)).toEqual(new TextEncoder().encode("/etc"))
  })

  it("a successful read is discarded as Gone when the notification is no longer pending (the pid may be reused)", () => {
    const n = attached({ bytes: path, pending: () => false })
    expect(() => readString(n, 0)).toThrow(expect.objectContaining({ _tag: "MemoryReadError", reason: "Gone", pid: 4242 }))
  })

  it("EFAULT is Unreadable, EPERM is Denied, ESRCH is Gone", () => {
    expect(() => readBytes(attached({}), 0n, 8)).toThrow(expect.objectContaining({ reason: "Unreadable", errno: 14, address: 0n }))
    expect(() => readBytes(attached({ read: () => -1 }), 0, 8)).toThrow(expect.objectContaining({ reason: "Denied", errno: 1 }))
    expect(() => readBytes(attached({ read: () => -3 }), 0, 8)).toThrow(expect.objectContaining({ reason: "Gone", errno: 3 }))
  })

  it("a short read is Unreadable for readBytes, and for a string cut off before its NUL", () => {
    const cut = attached({ bytes: new TextEncoder().encode("/etc") })
    expect(() => readBytes(cut, 0, 8)).toThrow(expect.objectContaining({ reason: "Unreadable" }))
    expect(() => readString(cut, 0)).toThrow(expect.objectContaining({ reason: "Unreadable" }))
  })

  it("a string longer than maxBytes is Unterminated", () => {
    expect(() => readString(attached({ bytes: path }), 0, 5)).toThrow(expect.objectContaining({ reason: "Unterminated", length: 5 }))
  })

  it("a notification not received by a supervisor is Detached, and its message says why", () => {
    expect(() => readString(notification(), 0)).toThrow(
      "Cannot read 4096 bytes at 0x1000 in pid 4242: the notification did not come from a supervisor's listener")
  })

  it("refuses lengths beyond 1 MiB", () => {
    expect(() => readBytes(attached({ bytes: path }), 0, 2 ** 21)).toThrow(RangeError)
  })
})
