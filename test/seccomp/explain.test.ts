/**
 * explain(): the action from the compiled BPF run in the simulator, and the
 * rule behind it with its origin (the policy's rule, a family, the floor, the
 * io_uring rule), the default, or the bad-architecture action.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import { arg, explain, policy, type ExplainQuery, type Policy } from "../../plugins/seccomp/mod.ts"

const run = (p: Policy, query: ExplainQuery) => Effect.runPromise(Effect.provide(explain(p, query), layer))
const fail = (p: Policy, query: ExplainQuery) => Effect.runPromise(Effect.flip(Effect.provide(explain(p, query), layer)))

describe("explain()", () => {
  const p = policy((rule) => {
    rule.errno("EPERM", "family:mkdir")
    rule.errno("EACCES", "socket", arg(0).eq(2))
    rule.allow("socket", arg(0).eq(1))
  }, { default: "allow" })

  it("names the rule, through its family", async () => {
    const answer = await run(p, { syscall: "mkdirat" })
    expect(answer.action).toEqual({ kind: "errno", errno: 1 })
    expect(answer.by.kind === "rule" && answer.by.rule.origin).toMatchObject({ kind: "user", rule: 0, family: "mkdir" })
    expect(answer.lines[1]).toBe('  decided by rules[0] through family "mkdir": errno EPERM')
  })

  it("compares a 32-bit argument on its low half, as the filter does", async () => {
    expect((await run(p, { syscall: "socket", args: [0x1_0000_0002n] })).action).toEqual({ kind: "errno", errno: 13 })
    const other = await run(p, { syscall: "socket", args: [10] })
    expect(other.by.kind).toBe("default")
    expect(other.lines.slice(1)).toEqual([
      '  decided by the default action (allow): no rule for "socket" matches these arguments',
      // rules[2] allows as the default does: not in the filter, so not listed.
      "  also for socket: rules[1]: errno EACCES when arg0 == 0x2: its conditions do not hold"
    ])
  })

  it("names the floor and the io_uring rule", async () => {
    const ptrace = await run(p, { syscall: "ptrace" })
    expect(ptrace.by.kind === "rule" && ptrace.by.rule.origin.kind).toBe("floor")
    expect(ptrace.lines[1]).toMatch(/^ {2}decided by the floor \(floor\.ptrace\): errno EPERM; /)
    const ring = await run(p, { syscall: "io_uring_enter" })
    expect(ring.action).toEqual({ kind: "errno", errno: 38 })
    expect(ring.by.kind === "rule" && ring.by.rule.origin.kind).toBe("io_uring")
  })

  it("takes a syscall number and another ABI", async () => {
    expect((await run(p, { syscall: 83 })).syscall).toBe("mkdir")
    const i386 = await run(p, { syscall: "mkdir", arch: "x86" })
    expect(i386.by.kind).toBe("bad-arch")
    expect(i386.action).toEqual({ kind: "kill-thread" })
  })

  it("refuses unknown names and arguments that are not integers, or more than six", async () => {
    expect((await fail(p, { syscall: "mkdri" })).message).toBe('Unknown syscall "mkdri" on x86_64: did you mean "mkdir"?')
    expect((await fail(p, { syscall: "read", args: [0, 1.5] })).message).toBe('Invalid seccomp policy at args[1]: Invalid value "1.5": expected an integer (a bigint beyond 2^53)')
    expect((await fail(p, { syscall: "read", args: [0, 1, 2, 3, 4, 5, 6] })).message).toMatch(/^Invalid seccomp policy at args\[6\]/)
  })
})
