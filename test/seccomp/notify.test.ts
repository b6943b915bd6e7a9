/** The notify plumbing's pure parts: struct layouts, the listener record, and which rule a notification came from. */
import { describe, expect, it } from "vitest"
import { arg, policy } from "../../plugins/seccomp/mod.ts"
import { matchRule, notifies } from "../../plugins/seccomp/notify/match.ts"
import { decodeNotification, encodeResponse, notifRespSize, notifSize } from "../../plugins/seccomp/notify/struct.ts"

const noArgs = [0n, 0n, 0n, 0n, 0n, 0n] as const

describe("struct seccomp_notif and seccomp_notif_resp", () => {
  it("decodes an 80-byte notification with a 64-bit id and unsigned args", () => {
    const bytes = new Uint8Array(notifSize)
    const view = new DataView(bytes.buffer)
    view.setBigUint64(0, 0x9000_0000_0000_0001n, true)
    view.setUint32(8, 4242, true)
    view.setInt32(16, 110, true)
    view.setUint32(20, 0xc000003e, true)
    view.setBigUint64(24, 0x401000n, true)
    view.setBigUint64(32 + 8 * 5, 0xffff_ffff_ffff_ffffn, true)
    expect(decodeNotification(bytes)).toEqual({
      id: 0x9000_0000_0000_0001n, pid: 4242, syscall: 110, arch: 0xc000003e, instructionPointer: 0x401000n,
      args: [0n, 0n, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn]
    })
  })

  it("encodes CONTINUE with val and error zero, a failure as a negative error, a value as signed 64-bit", () => {
    const bytes = new Uint8Array(notifRespSize).fill(0xff)
    const view = new DataView(bytes.buffer)
    encodeResponse(bytes, 7n, { kind: "continue" })
    expect([view.getBigUint64(0, true), view.getBigInt64(8, true), view.getInt32(16, true), view.getUint32(20, true)]).toEqual([7n, 0n, 0, 1])
    encodeResponse(bytes, 8n, { kind: "fail", errno: 13 })
    expect([view.getBigInt64(8, true), view.getInt32(16, true), view.getUint32(20, true)]).toEqual([0n, -13, 0])
    encodeResponse(bytes, 9n, { kind: "return", value: 0xffff_ffff_ffff_ffffn })
    expect(view.getBigInt64(8, true)).toBe(-1n)
  })
})

describe("matchRule()", () => {
  const p = policy((rule) => {
    rule.allow("read")
    rule.notify("openat", arg(2).masked(3, 1))
    rule.notify("openat", arg(2).masked(3, 2))
    rule.notify("getppid")
  }, { default: "allow" })

  it("names the notify rule whose conditions hold, and undefined for the default action", () => {
    expect(matchRule(p, "getppid", noArgs)).toBe(3)
    expect(matchRule(p, "openat", [0n, 0n, 1n, 0n, 0n, 0n])).toBe(1)
    expect(matchRule(p, "openat", [0n, 0n, 2n, 0n, 0n, 0n])).toBe(2)
    expect(matchRule(policy({ default: "notify" }), "uname", noArgs)).toBeUndefined()
  })

  it("notifies() tells policies that need a listener from those that do not", () => {
    expect(notifies(p)).toBe(true)
    expect(notifies(policy({ default: "notify" }))).toBe(true)
    expect(notifies(policy((rule) => rule.kill("mkdir"), { default: "allow" }))).toBe(false)
  })

  it("a JSON rule may name a handler only with the notify action", () => {
    expect(policy({ default: "allow", rules: [{ action: "notify", handler: "audit", syscalls: ["mkdir"] }] }).rules[0]?.handler).toBe("audit")
    expect(() => policy({ default: "allow", rules: [{ action: "kill", handler: "audit", syscalls: ["mkdir"] }] }))
      .toThrow('Invalid seccomp policy at rules[0].handler: "handler" goes with action "notify" only')
  })
})
