/** `kakoi syscall`: syscall names to numbers and back, for the native or a named architecture. */
import { describe, expect, it } from "vitest"
import { kakoi, lines } from "./kakoi.ts"

describe("kakoi syscall", () => {
  it.each([
    [["mkdir"], "83"],
    [["83"], "mkdir"],
    [["--arch", "x86", "mkdir"], "39"],
    [["mkdir", "--arch", "x86"], "39"],
    [["--arch", "x86", "39"], "mkdir"]
  ])("kakoi syscall %j prints %s", (args, expected) => {
    expect(kakoi(["syscall", ...args])).toMatchObject({ status: 0, stdout: `${expected}\n`, stderr: "" })
  })

  it("rejects an unknown name with exit 2 and a suggestion", () => {
    expect(kakoi(["syscall", "mkdri"])).toMatchObject({ status: 2, stdout: "", stderr: 'kakoi: Unknown syscall "mkdri": did you mean "mkdir"?\n' })
  })

  it("rejects an unknown number with exit 2", () => {
    const result = kakoi(["syscall", "99999"])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^kakoi: Unknown syscall number 99999/)])
  })

  it("rejects an unknown architecture with exit 2", () => {
    const result = kakoi(["syscall", "--arch", "vax", "mkdir"])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(result.stderr).toMatch(/^kakoi: Unknown architecture "vax"/)
  })

  it("asks for exactly one name or number, with a hint", () => {
    const result = kakoi(["syscall", "mkdir", "rmdir"])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual([
      "kakoi: Give exactly one syscall name or number, e.g. kakoi syscall mkdir",
      "Try 'kakoi syscall --help' for more information"
    ])
  })

  it("rejects an unknown option with a hint at kakoi syscall --help", () => {
    const result = kakoi(["syscall", "--bogus", "mkdir"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toEqual(["kakoi: Unknown option '--bogus'", "Try 'kakoi syscall --help' for more information"])
  })
})
