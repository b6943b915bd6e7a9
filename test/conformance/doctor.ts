/** doctor() in the runtime under test: its own FFI answers the same facts about this machine. */
import { describe, expect, it } from "vitest"
import { doctor } from "../../plugins/sandbox/mod.ts"

/** Registers the suite for `runtime`. */
export const doctorSuite = (runtime: string): void => {
  describe(`doctor() on ${runtime}`, () => {
    it("reports Landlock ABI 7, user and pid namespaces, the cgroup2 mount, the containment level and the supervisor's capabilities", async () => {
      const host = await doctor()
      expect(host.landlock.abi).toBe(7)
      expect([host.userNamespaces.status, host.pidNamespaces.status]).toEqual(["yes", "yes"])
      expect(host.cgroup.location).toMatchObject({ mount: "/sys/fs/cgroup/unified", hybrid: true, controllers: ["hugetlb"] })
      expect(host.containment.level).toBe("namespaces")
      // Root here: children can be cleared of every capability, run as another user, and keep one.
      expect([host.capabilities.clear.status, host.capabilities.changeUser.status, host.capabilities.keep.status]).toEqual(["yes", "yes", "yes"])
      expect(host.capabilities.effective).toContain("CAP_SETPCAP")
    })
  })
}
