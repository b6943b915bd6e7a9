/**
 * The capability watch's policy and its exact test of a call's arguments,
 * and the diagnosis it gives (the real watch runs in test/conformance/capabilities.ts).
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/mod.ts"
import { capabilityWatch, diagnoseRefused } from "../../plugins/sandbox/capability-watch.ts"
import { compile } from "../../plugins/seccomp/compile.ts"

const nobody = { uid: 65534, gid: 65534, keep: [] }
const needs = (syscall: string, ...args: ReadonlyArray<bigint>): boolean | undefined => {
  const watched = capabilityWatch(nobody).calls.get(syscall)
  return watched === undefined ? undefined : watched.needs?.(args) ?? true
}

describe("capabilityWatch", () => {
  it("is one policy per child identity, which libseccomp compiles, and leaves out what the child keeps", async () => {
    expect(capabilityWatch({ uid: 65534, gid: 65534, keep: [] })).toBe(capabilityWatch(nobody))
    const { instructions } = await Effect.runPromise(Effect.provide(compile(capabilityWatch(nobody).policy), layer))
    expect(instructions).toBeGreaterThan(10)
    const kept = capabilityWatch({ uid: 0, gid: 0, keep: [7, 21] })
    expect([kept.calls.has("setuid"), kept.calls.has("mount"), kept.calls.has("setgid")]).toEqual([false, false, true])
    expect(capabilityWatch(nobody).json.rules?.every((rule) => rule.action === "notify" && rule.handler === "capability")).toBe(true)
  })

  it("counts an id change only to another id: -1 means unchanged, the child's own id needs nothing", () => {
    expect(needs("setuid", 0n)).toBe(true)
    expect(needs("setresuid", 0xffffffffn, 65534n, 0xffffffffn)).toBe(false)
    expect(needs("setresuid", 0xffffffffn, 0n, 0xffffffffn)).toBe(true)
    // The kernel reads uid_t as 32 bits: high garbage does not make an id change.
    expect(needs("setreuid", 0x1_0000_fffen, 0xffffffffn)).toBe(false)
    expect(needs("fchownat", 3n, 0n, 0n, 0xffffffffn)).toBe(true)
    expect(needs("chown", 0n, 65534n, 0n)).toBe(false)
    expect([needs("chroot"), needs("setgroups", 0n, 0n), needs("read")]).toEqual([true, true, undefined])
  })
})

describe("diagnoseRefused", () => {
  it("names the first call, then the other kinds once each; nothing refused, no diagnosis", () => {
    expect(diagnoseRefused([])).toBeUndefined()
    const calls = [
      { syscall: "setuid", capability: "CAP_SETUID", pid: 1 }, { syscall: "setuid", capability: "CAP_SETUID", pid: 2 },
      { syscall: "mount", capability: "CAP_SYS_ADMIN", pid: 1 }, { syscall: "mount", capability: "CAP_SYS_ADMIN", pid: 1 }
    ]
    expect(diagnoseRefused(calls)).toEqual({
      cause: "capability", syscall: "setuid", capability: "CAP_SETUID", calls,
      message: 'A call failed for lack of a capability: "setuid" needs CAP_SETUID, which the child does not hold; also "mount" (CAP_SYS_ADMIN)'
    })
  })
})
