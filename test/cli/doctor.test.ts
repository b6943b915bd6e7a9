/** `kakoi doctor`: the report on this machine, as text and as JSON. */
import { describe, expect, it } from "vitest"
import { kakoi, lines } from "./kakoi.ts"

describe("kakoi doctor", () => {
  it("prints Landlock, namespaces, cgroup v2 and the containment level", () => {
    const result = kakoi(["doctor"])
    expect(result).toMatchObject({ status: 0, stderr: "" })
    const report = lines(result.stdout)
    expect(report).toContain("landlock              yes  Landlock ABI 7")
    expect(report).toContain("user namespaces       yes  unshare --user succeeded")
    expect(report.find((line) => line.startsWith("cgroup v2"))).toContain("/sys/fs/cgroup/unified (cgroup /, beside cgroup v1 hierarchies); controllers: hugetlb")
    expect(report.find((line) => line.startsWith("containment"))).toMatch(/^containment\s+run uses "namespaces" by default: /)
  })

  it("prints the same as JSON with --json", () => {
    const result = kakoi(["doctor", "--json"])
    expect(JSON.parse(result.stdout)).toMatchObject({ landlock: { abi: 7 }, containment: { level: "namespaces" } })
  })

  it("rejects an unknown option with exit 2", () => {
    expect(kakoi(["doctor", "--jsno"])).toMatchObject({ status: 2, stderr: expect.stringContaining("kakoi doctor --help") })
  })
})
