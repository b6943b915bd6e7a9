/** The launcher's report on the control channel: accepted, failed, or never taken. */
import { describe, expect, it } from "vitest"
import { spawnErrorFromFailure } from "../../core/errors.ts"
import { accepted, decodeFailure, encodeFailure } from "../../core/job.ts"

const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]))

describe("decodeFailure", () => {
  it("reads end-of-file right after the accepted byte as exec success", () => {
    expect(decodeFailure(accepted)).toBeUndefined()
  })

  it("reads the failure report the launcher wrote after accepting the job", () => {
    const failure = { stage: "chdir", errno: 2, subject: "/nope" }
    expect(decodeFailure(concat(accepted, encodeFailure(failure)))).toEqual(failure)
  })

  it("reads a report written before the job was accepted (the job could not be read)", () => {
    const failure = { stage: "read-job", errno: 0, subject: "control channel" }
    expect(decodeFailure(encodeFailure(failure))).toEqual(failure)
  })

  it("treats an empty channel as a launcher that died before reading the job, not as a target that ran", () => {
    const failure = decodeFailure(new Uint8Array(0))
    expect(failure).toBeDefined()
    expect(spawnErrorFromFailure(failure!, "true")).toMatchObject({
      reason: "LauncherFailed",
      message: "The launcher failed before starting the command (launcher: it exited before reading the job): true"
    })
  })
})
