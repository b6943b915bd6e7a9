/**
 * Attacks through io_uring (IORING_OP_MKDIRAT without mkdir/mkdirat) under
 * every kind of policy that denies something: kakoi's own with any denying
 * action, and imported Docker/OCI profiles with a default allow.
 */
import { mkdtempSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { OciProfile, PolicyJson } from "../../plugins/seccomp/mod.ts"
import { attack, program } from "./attack.ts"

const ENOSYS = 38
const target = (): string => join(mkdtempSync(join(tmpdir(), "kakoi-attack-")), "made")

describe("io_uring is denied whenever the policy denies anything", () => {
  it.each([
    ["errno", { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }] }],
    ["kill", { default: "allow", rules: [{ action: "kill", syscalls: ["family:mkdir"] }] }],
    ["trap", { default: "allow", rules: [{ action: "trap", syscalls: ["family:mkdir"] }] }],
    ["a rule that never matches", { default: "allow", rules: [{ action: "kill", syscalls: ["kill"], args: [{ index: 0, op: "<", value: 0 }] }] }],
    ["a deny rule that is only conditional", { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdirat"], args: [{ index: 0, op: "==", value: -100 }] }] }],
    ["a default of log with one denial", { default: "log", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }]
  ] as const)("kakoi policy whose denial is %s", async (_, json) => {
    const path = target()
    expect(await attack(json as PolicyJson, [program("io-uring-mkdirat"), path])).toBe(`setup errno ${ENOSYS}`)
    expect(existsSync(path)).toBe(false)
  })

  it.each([
    ["errno", "SCMP_ACT_ERRNO"],
    ["kill", "SCMP_ACT_KILL_PROCESS"],
    ["trap", "SCMP_ACT_TRAP"]
  ] as const)("a Docker/OCI profile with SCMP_ACT_ALLOW default and an %s entry for mkdir", async (_, action) => {
    const profile: OciProfile = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action }] }
    const path = target()
    expect(await attack(profile, [program("io-uring-mkdirat"), path])).toBe(`setup errno ${ENOSYS}`)
    expect(existsSync(path)).toBe(false)
  })

  // FINDING (high, the cause of floor.test.ts's EPERM findings): floor.io_uring answers ENOSYS; under a
  // default of ENOSYS it is dropped as same-as-default, and @system-service (which holds @aio, io_uring_*)
  // then allows io_uring: the explicit family:mkdir denial is bypassed with IORING_OP_MKDIRAT.
  it("an ENOSYS allowlist of @system-service that denies family:mkdir keeps io_uring denied", async () => {
    const json: PolicyJson = {
      default: { errno: "ENOSYS" },
      rules: [{ action: "allow", syscalls: ["@system-service", "execve"] }, { action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }]
    }
    const path = target()
    expect(await attack(json, [program("io-uring-mkdirat"), path])).toMatch(/^setup errno /)
    expect(existsSync(path)).toBe(false)
  })

  it("a group that happens to hold io_uring does not lift the rule (only a name does)", async () => {
    const json: PolicyJson = { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }, { action: "log", syscalls: ["@io-event", "@aio"] }] }
    const path = target()
    expect(await attack(json, [program("io-uring-mkdirat"), path])).toBe(`setup errno ${ENOSYS}`)
  })
})
