/**
 * explain() claims an exact answer: the action is the BPF's, and "decided by"
 * names what decided it. Attacks here look for answers whose reason
 * contradicts their action (a user then trusts the wrong rule).
 */
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { layer } from "../../adapters/node/libseccomp.ts"
import { compile, policy, simulator, type PolicyJson } from "../../plugins/seccomp/mod.ts"
import { explained } from "./attack.ts"

describe("explain's reason agrees with its action", () => {
  // FINDING (low): libseccomp turns an unconditional i386 socket rule into a rule on socketcall(SYS_SOCKET)
  // (the kernel holds: families.test.ts). explain runs the BPF and answers "errno EACCES" for
  // socketcall(1, ...), but says "decided by the default action (allow)", because no planned rule is for
  // "socketcall". Fix: map socketcall/ipc calls back to the rule of the multiplexed call.
  it("socketcall(SYS_SOCKET) on x86 under a socket deny rule is not 'decided by the default action'", async () => {
    const json: PolicyJson = { default: "allow", arches: ["x86"], rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"] }] }
    const answer = await explained(json, { syscall: "socketcall", arch: "x86", args: [1n, 0n] })
    expect(answer.action).toEqual({ kind: "errno", errno: 13 })
    expect(answer.by.kind).not.toBe("default")
  })

  // FOUND (low), fixed on branch policy meanwhile (40a10ec): for x32, explain handed the simulator libseccomp's arch token (0x4000003e) as
  // seccomp_data.arch, but the kernel reports x32 calls as AUDIT_ARCH_X86_64 (0xc000003e) with
  // __X32_SYSCALL_BIT in nr: every x32 answer is "kill-thread" (the bad-arch action). The filter itself
  // holds (the same BPF with the kernel's data answers errno EPERM). Fix: map x32 to AUDIT_ARCH_X86_64.
  it("explain on x32 gives the answer the kernel's data gets from the same BPF", async () => {
    const json: PolicyJson = { default: "allow", arches: ["x32"] }
    const answer = await explained(json, { syscall: "ioctl", arch: "x32", args: [0n, 0x5412n] })
    const compiled = await Effect.runPromise(Effect.provide(compile(policy(json)), layer))
    const kernel = simulator(compiled.bpf).run({ nr: 0x4000_0000 + 514, arch: 0xc000_003e, args: [0n, 0x5412n] })
    expect(kernel.action).toEqual({ kind: "errno", errno: 1 })
    expect(answer.action).toEqual(kernel.action)
  })

  // Holds: the floor's ioctl rule is named as the decider, with high-bit garbage too.
  it("TIOCSTI with garbage is decided by floor.tiocsti", async () => {
    const answer = await explained({ default: "allow" }, { syscall: "ioctl", args: [0n, 0xdead_0000_0000_5412n] })
    expect(answer.action).toEqual({ kind: "errno", errno: 1 })
    expect(answer.by).toMatchObject({ kind: "rule", rule: { path: "floor.tiocsti" } })
  })
})
