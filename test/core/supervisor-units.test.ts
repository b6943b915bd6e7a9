/** The supervisor's pure parts: line splitting across chunks, the restart window, restart rules, event lines. */
import { describe, expect, it } from "vitest"
import { formatEvent } from "../../core/supervisor/events.ts"
import { restartWindow } from "../../core/supervisor/intensity.ts"
import { lineSplitter } from "../../core/supervisor/lines.ts"
import { restartSet, shouldRestart } from "../../core/supervisor/strategy.ts"

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe("lineSplitter()", () => {
  it("keeps a line that spans chunks until its newline", () => {
    const split = lineSplitter()
    expect(split.push(bytes("first\nsec"))).toEqual(["first"])
    expect(split.push(bytes("ond"))).toEqual([])
    expect(split.push(bytes("\nthird\n"))).toEqual(["second", "third"])
  })

  it("strips \\r\\n even when \\r and \\n arrive in different chunks", () => {
    const split = lineSplitter()
    expect(split.push(bytes("dos\r"))).toEqual([])
    expect(split.push(bytes("\nline\r\n"))).toEqual(["dos", "line"])
  })

  it("decodes a UTF-8 character split between chunks", () => {
    const split = lineSplitter()
    const encoded = bytes("囲い\n")
    expect(split.push(encoded.subarray(0, 2))).toEqual([])
    expect(split.push(encoded.subarray(2, 4))).toEqual([])
    expect(split.push(encoded.subarray(4))).toEqual(["囲い"])
  })

  it("returns the unterminated last line at the end, and nothing for a trailing newline", () => {
    const split = lineSplitter()
    split.push(bytes("a\nlast"))
    expect(split.end()).toEqual(["last"])
    const clean = lineSplitter()
    clean.push(bytes("a\n"))
    expect(clean.end()).toEqual([])
  })

  it("cuts lines longer than the limit", () => {
    const split = lineSplitter(4)
    expect(split.push(bytes("abcdefghij"))).toEqual(["abcd", "efgh"])
    expect(split.end()).toEqual(["ij"])
  })
})

describe("restartWindow()", () => {
  it("allows maxRestarts within the window and refuses the next", () => {
    const window = restartWindow({ maxRestarts: 2, withinMs: 1000 })
    expect([window.record(0), window.record(10), window.record(20)]).toEqual([true, true, false])
    expect(window.record(1500)).toBe(true)
  })
})

describe("restart rules", () => {
  const exit = (exitCode: number | undefined, signal?: "SIGKILL") => ({ pid: 1, exitCode, signal, durationMs: 1, diagnosis: undefined })

  it("shouldRestart() follows the restart type", () => {
    expect(shouldRestart("permanent", exit(0))).toBe(true)
    expect(shouldRestart("transient", exit(0))).toBe(false)
    expect(shouldRestart("transient", exit(1))).toBe(true)
    expect(shouldRestart("transient", exit(undefined, "SIGKILL"))).toBe(true)
    expect(shouldRestart("temporary", exit(1))).toBe(false)
  })

  it("restartSet() picks the siblings of each strategy", () => {
    expect(restartSet("one-for-one", 1, 3)).toEqual([1])
    expect(restartSet("one-for-all", 1, 3)).toEqual([0, 1, 2])
    expect(restartSet("rest-for-one", 1, 3)).toEqual([1, 2])
  })

  it("formatEvent() renders an exit readably", () => {
    expect(formatEvent({ type: "exited", child: "app/web", at: 0, exit: exit(undefined, "SIGKILL"), restart: true })).toBe(
      "app/web: exited with signal SIGKILL (Forced termination) after 1 ms"
    )
  })
})
