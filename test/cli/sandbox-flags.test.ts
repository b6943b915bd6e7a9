/** `kakoi run`'s sandbox flags: what sandbox() options they mean, and how the CLI refuses them today. */
import { describe, expect, it } from "vitest"
import { sandboxFromFlags } from "../../cli/sandbox-flags.ts"
import { kakoi } from "./kakoi.ts"

const none = { ro: [], rw: [], hide: [] }

describe("sandbox flags", () => {
  it("mean nothing when none is given", () => {
    expect(sandboxFromFlags(none)).toBeUndefined()
  })

  it("map to sandbox() options", () => {
    expect(sandboxFromFlags({ ...none, sandbox: true })).toEqual({})
    expect(sandboxFromFlags({ ro: ["/usr", "/lib"], rw: ["/tmp/job"], hide: ["~/.ssh"], net: "tcp:443,80", user: "1000:100", hostname: "box", memory: "512M", pids: "64", cpu: "0.5", containment: "cgroup" })).toEqual({
      filesystem: { read: ["/usr", "/lib"], write: ["/tmp/job"], hide: ["~/.ssh"] },
      network: { connect: [443, 80] },
      user: { uid: 1000, gid: 100 },
      hostname: "box",
      limits: { memory: "512M", pids: 64, cpu: "0.5" },
      containment: "cgroup"
    })
    expect(sandboxFromFlags({ ...none, rw: ["/tmp/job"], user: "nobody" })).toEqual({ filesystem: { write: ["/tmp/job"] }, user: "nobody" })
  })

  it("kakoi run --sandbox refuses to start anything on this build (exit 125)", () => {
    const result = kakoi(["run", "--sandbox", "--", "sh", "-c", "echo ran"])
    expect(result).toMatchObject({ status: 125, stdout: "" })
    expect(result.stderr).toContain("kakoi: The sandbox fence needs the native launcher")
  })

  it("a bad flag value is a usage error (exit 2) naming the option", () => {
    expect(kakoi(["run", "--net", "loopbak", "--", "true"])).toMatchObject({
      status: 2,
      stderr: 'kakoi: Invalid sandbox option at network: Unknown value "loopbak": did you mean "loopback"?\n'
    })
    expect(kakoi(["run", "--pids", "many", "--", "true"]).stderr).toContain("Invalid sandbox option at limits.pids")
  })
})
