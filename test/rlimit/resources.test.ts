/** The resource table the launcher uses for setrlimit(2). */
import { describe, expect, it } from "vitest"
import { isRlimitResource, rlimitResourceNumber, rlimitResources, rlimitUnit } from "../../plugins/rlimit/mod.ts"

describe("rlimit resources", () => {
  it("numbers resources as Linux does on x86_64", () => {
    expect(rlimitResources.map((resource) => [resource, rlimitResourceNumber[resource]])).toEqual([
      ["cpu", 0], ["fsize", 1], ["data", 2], ["stack", 3], ["core", 4], ["rss", 5], ["nproc", 6], ["nofile", 7],
      ["memlock", 8], ["as", 9], ["locks", 10], ["sigpending", 11], ["msgqueue", 12], ["nice", 13], ["rtprio", 14], ["rttime", 15]
    ])
  })

  it("gives every resource a unit", () => {
    expect(rlimitResources.every((resource) => rlimitUnit[resource] !== undefined)).toBe(true)
    expect(rlimitUnit.as).toBe("bytes")
    expect(rlimitUnit.cpu).toBe("seconds")
  })

  it("isRlimitResource() accepts only kakoi's spelling", () => {
    expect(isRlimitResource("nofile")).toBe(true)
    expect(isRlimitResource("NOFILE")).toBe(false)
    expect(isRlimitResource("toString")).toBe(false)
  })
})
