/** compile() and exportPfc() against the real libseccomp, through the Node (koffi) binding. */
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { layer, make } from "../../adapters/node/libseccomp.ts"
import type { CompiledFilter, Policy, PolicyError, SeccompLibraryShape } from "../../plugins/seccomp/mod.ts"
import { SeccompLibrary, arg, compile, exportPfc, policy } from "../../plugins/seccomp/mod.ts"

const run = <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>): Promise<A> => Effect.runPromise(Effect.provide(effect, layer))
const failure = (effect: Effect.Effect<unknown, PolicyError, SeccompLibrary>): Promise<PolicyError> => run(Effect.flip(effect))

/** The real binding with a counter of live contexts and optional overrides, to watch what compile does. */
const watched = (overrides: Partial<SeccompLibraryShape> = {}) => {
  const real = Effect.runSync(make())
  const live = { count: 0 }
  const library: SeccompLibraryShape = {
    ...real,
    init: (action) => {
      const ctx = real.init(action)
      if (ctx !== undefined) live.count++
      return ctx
    },
    release: (ctx) => {
      live.count--
      real.release(ctx)
    },
    ...overrides
  }
  return { live, provide: <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>) => Effect.runPromise(Effect.provide(effect, Layer.succeed(SeccompLibrary, library))) }
}

/** Each test compiles fresh objects, so the cache only answers where a test asks it to. */
const denyMkdir = (): Policy => policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat").kill("ptrace"), { default: "allow" })

describe("compile()", () => {
  it("produces a BPF program of 8-byte instructions", async () => {
    const compiled = await run(compile(denyMkdir()))
    expect(compiled.bpf).toBeInstanceOf(Uint8Array)
    expect(compiled.bpf.length % 8).toBe(0)
    expect(compiled.instructions).toBe(compiled.bpf.length / 8)
    expect(compiled.skipped).toEqual([])
  })

  it("rejects an unknown syscall with the closest known name", async () => {
    const error = await failure(compile(policy((rule) => rule.kill("mkdir", "mkdri"), { default: "allow" })))
    expect(error.reason).toBe("UnknownSyscall")
    expect(error.path).toBe("rules[0].syscalls[1]")
    expect(error.problem).toBe('Unknown syscall "mkdri": did you mean "mkdir"?')
    expect(error.message).toBe('Invalid seccomp policy at rules[0].syscalls[1]: Unknown syscall "mkdri": did you mean "mkdir"?')
  })

  it("checks names in rules it skips too", async () => {
    const error = await failure(compile(policy((rule) => rule.allow("opne"), { default: "allow" })))
    expect(error.message).toBe('Invalid seccomp policy at rules[0].syscalls[0]: Unknown syscall "opne": did you mean "open"?')
  })

  it("skips a rule whose action is the default, and says why", async () => {
    const p = policy((rule) => rule.errno("EPERM", "mkdir").allow("read", "write"), { default: "allow" })
    const compiled = await run(compile(p))
    expect(compiled.skipped).toEqual([
      { rule: 1, path: "rules[1].syscalls[0]", syscall: "read", reason: "same-as-default", message: 'rules[1] is skipped for "read": its action (allow) is the default action' },
      { rule: 1, path: "rules[1].syscalls[1]", syscall: "write", reason: "same-as-default", message: 'rules[1] is skipped for "write": its action (allow) is the default action' }
    ])
    const without = await run(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })))
    expect(compiled.bpf).toEqual(without.bpf)
  })

  it("skips rules an unconditional rule shadows, and the filter is the same without them", async () => {
    const p = policy((rule) => rule.kill("mkdir").errno("EPERM", "mkdir").errno("EACCES", "mkdir", arg(0).eq(1)), { default: "allow" })
    const compiled = await run(compile(p))
    expect(compiled.skipped.map((s) => [s.path, s.reason])).toEqual([["rules[1].syscalls[0]", "shadowed"], ["rules[2].syscalls[0]", "shadowed"]])
    expect(compiled.bpf).toEqual((await run(compile(policy((rule) => rule.kill("mkdir"), { default: "allow" })))).bpf)
  })

  it("returns the same CompiledFilter for the same policy, and for an equal one", async () => {
    const p = denyMkdir()
    const first = await run(compile(p))
    expect(await run(compile(p))).toBe(first)
    const equal = await run(compile(denyMkdir()))
    expect(equal).toBe(first)
    expect(equal.bpf).toBe(first.bpf)
  })

  it("compiles once: a cached policy does not call libseccomp again", async () => {
    const inits: Array<number> = []
    const real = Effect.runSync(make())
    const p = policy((rule) => rule.errno("EPERM", "getpid").errno("EACCES", "rmdir"), { default: "allow" })
    const counting = Layer.succeed(SeccompLibrary, { ...real, init: (action: number) => (inits.push(action), real.init(action)) })
    const once: CompiledFilter = await Effect.runPromise(Effect.provide(compile(p), counting))
    await Effect.runPromise(Effect.provide(compile(p), counting))
    expect(inits).toHaveLength(1)
    expect(once.instructions).toBeGreaterThan(0)
  })

  it("builds a binary tree with optimize: 2", async () => {
    const names = ["mkdir", "rmdir", "chmod", "chown", "link", "unlink", "rename", "symlink", "mknod", "mount"]
    const priority = await run(compile(policy((rule) => rule.errno("EPERM", ...names), { default: "allow" })))
    const tree = await run(compile(policy((rule) => rule.errno("EPERM", ...names), { default: "allow", attributes: { optimize: 2 } })))
    expect(tree.bpf).not.toEqual(priority.bpf)
  })

  it("adds architectures by name", async () => {
    const native = await run(compile(denyMkdir()))
    const both = await run(compile(policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat").kill("ptrace"), { default: "allow", arches: ["x86"] })))
    expect(both.instructions).toBeGreaterThan(native.instructions)
    const view = new DataView(both.bpf.buffer, both.bpf.byteOffset, both.bpf.byteLength)
    const constants = Array.from({ length: both.instructions }, (_, i) => view.getUint32(i * 8 + 4, true))
    expect(constants).toContain(0x40000003) // AUDIT_ARCH_I386
  })

  it("accepts the native architecture listed again", async () => {
    const native = await run(compile(denyMkdir()))
    const listed = await run(compile(policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat").kill("ptrace"), { default: "allow", arches: ["x86_64"] })))
    expect(listed.bpf).toEqual(native.bpf)
  })

  it("rejects an unknown architecture with a suggestion", async () => {
    const error = await failure(compile(policy({ default: "allow", arches: ["x86", "x87"] })))
    expect(error.reason).toBe("UnknownArch")
    expect(error.message).toBe('Invalid seccomp policy at arches[1]: Unknown architecture "x87": did you mean "x86"?')
  })

  it("points at the rule when libseccomp refuses it, and releases the context", async () => {
    const { live, provide } = watched({ ruleAdd: () => -22 })
    // Without the floor, the policy's own rule is the first libseccomp gets.
    const error = await provide(Effect.flip(compile(policy((rule) => rule.kill("getppid"), { default: "allow", floor: false }))))
    expect(error.reason).toBe("LibseccompFailed")
    expect(error.message).toBe(
      'Invalid seccomp policy at rules[0].syscalls[0]: libseccomp failed for "getppid": seccomp_rule_add returned -EINVAL (Invalid argument): check the action and the argument conditions'
    )
    expect(live.count).toBe(0)
  })

  it("maps -EEXIST to a conflicting rule and -EACCES to a skipped rule", async () => {
    const conflict = await watched({ ruleAdd: () => -17 }).provide(Effect.flip(compile(policy((rule) => rule.kill("getuid"), { default: "allow" }))))
    expect(conflict.reason).toBe("ConflictingRule")
    const skipped = await watched({ ruleAdd: () => -13 }).provide(compile(policy((rule) => rule.kill("getgid"), { default: "allow" })))
    expect(skipped.skipped.map((s) => s.reason)).toEqual(["same-as-default"])
  })

  it("releases the context after a successful compile", async () => {
    const { live, provide } = watched()
    await provide(compile(policy((rule) => rule.kill("geteuid"), { default: "allow" })))
    expect(live.count).toBe(0)
  })
})

describe("exportPfc()", () => {
  it("shows a 64-bit condition value as its two 32-bit halves", async () => {
    const p = policy((rule) => rule.kill("write", arg(2).eq(0x123456789abcdef0n)), { default: "allow" })
    const text = await run(exportPfc(p))
    expect(text).toContain('filter for syscall "write"')
    expect(text).toContain(`$a2.hi32 == ${0x12345678}`)
    expect(text).toContain(`$a2.lo32 == ${0x9abcdef0}`)
    expect(text).toContain("action KILL_PROCESS;")
  })

  it("shows a value given as a decimal string above 2^53, masks, and the bad-arch action", async () => {
    const p = policy({
      default: "allow",
      rules: [
        { action: "errno", errno: "EACCES", syscalls: ["unshare"], args: [{ index: 0, op: "==", value: "18446744073709551615" }] },
        { action: "trap", syscalls: ["openat"], args: [{ index: 2, op: "masked==", mask: "0x3", value: 1 }] }
      ],
      attributes: { badArch: { errno: "ENOSYS" } }
    })
    const text = await run(exportPfc(p))
    expect(text).toContain("$a0.hi32 == 4294967295")
    expect(text).toContain("$a2.lo32 & 0x00000003 == 1")
    expect(text).toMatch(/invalid architecture action\naction ERRNO\(38\);/)
  })
})
