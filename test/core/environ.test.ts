/**
 * environProbe over the real libc (Node's binding, in this test's process):
 * it may say "unchanged" only when libc's environment is the one it saw last,
 * and says "changed" whenever it cannot look; vouchedWhile, which trusts it
 * only for reads of a view of libc's environment.
 */
import { describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { environProbe, vouchedWhile } from "../../core/host/environ.ts"
import type { Libc } from "../../core/libc.ts"

describe("environProbe()", () => {
  it("says unchanged only while no variable was set, changed or removed since its last look", () => {
    const unchanged = environProbe(nodeLibc)
    const answers: Array<boolean> = [unchanged(), unchanged()]
    process.env.KAKOI_PROBE = "aa"
    answers.push(unchanged(), unchanged())
    // Same length, then back to the old value (glibc may give the old string again: still a change from "bb").
    process.env.KAKOI_PROBE = "bb"
    answers.push(unchanged())
    process.env.KAKOI_PROBE = "aa"
    answers.push(unchanged())
    delete process.env.KAKOI_PROBE
    answers.push(unchanged(), unchanged())
    expect(answers).toEqual([false, true, false, true, false, false, false, true])
  })

  it("says changed while there is no libc to look with, and whenever the look is refused", () => {
    let libc: Libc | undefined
    const unchanged = environProbe(() => libc)
    expect([unchanged(), unchanged()]).toEqual([false, false])
    // process_vm_readv refused, as a seccomp profile without CAP_SYS_PTRACE does (EPERM).
    const real = nodeLibc()
    libc = { ...real, call: { ...real.call, process_vm_readv: () => -1 } }
    expect([unchanged(), unchanged()]).toEqual([false, false])
  })

  it("says changed every time for an environment too large for its buffer", () => {
    const unchanged = environProbe(nodeLibc)
    const names = Array.from({ length: 1100 }, (_, index) => `KAKOI_PROBE_${index}`)
    for (const name of names) process.env[name] = "x"
    try {
      expect([unchanged(), unchanged(), unchanged()]).toEqual([false, false, false])
    } finally {
      for (const name of names) delete process.env[name]
    }
    unchanged()
    expect(unchanged()).toBe(true)
  })
})

describe("vouchedWhile()", () => {
  it("vouches only while the read and the read before it were of libc's environment, and asks the probe at every call", () => {
    let looks = 0
    let reading = true
    const vouched = vouchedWhile(() => (looks++, true), () => reading)
    const answers = [vouched(), vouched()]
    // An object of the program's in place: its read is not one the probe saw.
    reading = false
    answers.push(vouched())
    // The real one back: the snapshot of the read before came from the program's object, so one more read.
    reading = true
    answers.push(vouched(), vouched())
    expect(answers).toEqual([false, true, false, false, true])
    expect(looks).toBe(5)
  })
})
