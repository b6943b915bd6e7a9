/**
 * Reaching the supervisor by calls the seccomp floor leaves alone (prlimit64, setpriority, kill), under a
 * policy that allows everything: the default containment stops them, since the supervisor is not in the
 * child's pid namespace (its pid names nobody there). The control at "process-group" shows that the
 * policy alone would let them through.
 */
import { describe, expect, it } from "vitest"
import { attack, program, refused } from "./attack.ts"

const supervisor = String(process.pid)

describe("reaching the supervisor by calls the floor allows", () => {
  it("prlimit64 cannot rewrite the supervisor's limits", async () => {
    expect(await attack({ default: "allow" }, [program("attack-probe"), "prlimit", supervisor])).toMatch(refused)
  })

  it("kill cannot signal the supervisor (signal 0: the permission check alone)", async () => {
    expect(await attack({ default: "allow" }, [program("syscall-probe"), "62", supervisor, "0"])).toMatch(refused)
  })

  it("setpriority cannot renice the supervisor", async () => {
    expect(await attack({ default: "allow" }, [program("attack-probe"), "renice", supervisor])).toMatch(refused)
  })

  it("the control: at containment process-group the same calls reach it", async () => {
    const loose = { containment: "process-group" } as const
    expect(await attack({ default: "allow" }, [program("attack-probe"), "prlimit", supervisor], loose)).toBe("ok 0")
    expect(await attack({ default: "allow" }, [program("syscall-probe"), "62", supervisor, "0"], loose)).toBe("ok 0")
  })
})
