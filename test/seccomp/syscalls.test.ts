/** Syscall names ↔ numbers through the real libseccomp. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import type { SeccompLibrary, SyscallError } from "../../plugins/seccomp/mod.ts"
import { syscallName, syscallNames, syscallNumber } from "../../plugins/seccomp/mod.ts"

const run = <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>): Promise<A> => Effect.runPromise(Effect.provide(effect, layer))
const failure = (effect: Effect.Effect<unknown, SyscallError, SeccompLibrary>): Promise<SyscallError> => run(Effect.flip(effect))

describe.runIf(process.arch === "x64")("syscallNumber() and syscallName() on x86_64", () => {
  it("resolve native names and numbers", async () => {
    expect(await run(syscallNumber("mkdir"))).toBe(83)
    expect(await run(syscallNumber("execve"))).toBe(59)
    expect(await run(syscallName(59))).toBe("execve")
  })
})

describe("syscallNumber() and syscallName()", () => {
  it("resolve for other architectures by name", async () => {
    expect(await run(syscallNumber("mkdir", "x86"))).toBe(39)
    expect(await run(syscallNumber("execve", "aarch64"))).toBe(221)
    expect(await run(syscallName(221, "aarch64"))).toBe("execve")
    expect(await run(syscallName(102, "x86"))).toBe("socketcall")
  })

  it("suggest the closest names for an unknown syscall", async () => {
    const error = await failure(syscallNumber("mkdri"))
    expect(error.reason).toBe("UnknownSyscall")
    expect(error.message).toBe('Unknown syscall "mkdri": did you mean "mkdir"?')
    expect((await failure(syscallNumber("opnat", "aarch64"))).message).toBe('Unknown syscall "opnat" on aarch64: did you mean "openat"?')
    expect((await failure(syscallNumber("zzzzzzzz"))).message).toBe('Unknown syscall "zzzzzzzz"')
  })

  it("say when a syscall exists elsewhere but not on the architecture", async () => {
    const error = await failure(syscallNumber("mkdir", "aarch64"))
    expect(error.reason).toBe("NotOnArch")
    expect(error.message).toBe('Syscall "mkdir" does not exist on aarch64')
  })

  it("reject an unknown number", async () => {
    const error = await failure(syscallName(5000))
    expect(error.reason).toBe("UnknownNumber")
    expect(error.message).toBe("Unknown syscall number 5000")
  })

  it("reject an unknown architecture with a suggestion", async () => {
    const error = await failure(syscallNumber("read", "x87"))
    expect(error.reason).toBe("UnknownArch")
    expect(error.message).toBe('Unknown architecture "x87": did you mean "x86"?')
  })

  it("list every name of an architecture", async () => {
    const names = await run(syscallNames("x86"))
    expect(names).toContain("socketcall")
    expect(names.length).toBeGreaterThan(300)
    expect(new Set(await run(syscallNames()))).toContain("execve")
  })
})
