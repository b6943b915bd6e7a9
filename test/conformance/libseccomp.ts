/**
 * A runtime's libseccomp binding against the real libseccomp.so.2 on this
 * machine: names, export, argument encoding, released contexts, memfds, and
 * the NativeLibraryError for a missing or wrong library. Run by test/node,
 * test/deno and test/bun.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { NativeLibraryError } from "../../core/native-error.ts"
import type { FilterContext, SeccompLibraryShape } from "../../plugins/seccomp/library.ts"

/** An adapter's `make`: binds libseccomp from a file (the soname by default); Deno may also fail for a permission. */
export type Make = (file?: string) => Effect.Effect<SeccompLibraryShape, NativeLibraryError | { readonly _tag: string }>

/** The error of binding `file`, which the test expects to be a NativeLibraryError. */
const failureOf = (make: Make, file: string): NativeLibraryError => Effect.runSync(Effect.flip(make(file))) as NativeLibraryError

const SCMP_ACT_ALLOW = 0x7fff0000
const SCMP_ACT_KILL_PROCESS = 0x80000000
const SCMP_ACT_ERRNO = (errno: number): number => 0x00050000 | errno
const SCMP_CMP_EQ = 4
const SCMP_CMP_GT = 6

const openFds = (): number => readdirSync("/proc/self/fd").length

/** Registers the suite for one runtime's binding; `make` is that adapter's libseccomp `make`. */
export const libseccompSuite = (binding: string, make: Make): void => {
  const library: SeccompLibraryShape = Effect.runSync(make())
  const native = library.archNative()

  /** A small filter with a 64-bit condition, released by the caller. */
  const sampleFilter = (): FilterContext => {
    const ctx = library.init(SCMP_ACT_ALLOW)
    if (ctx === undefined) throw new Error("seccomp_init returned NULL")
    expect(library.ruleAdd(ctx, SCMP_ACT_ERRNO(1), library.syscallResolveName(native, "mkdir"), [])).toBe(0)
    expect(library.ruleAdd(ctx, SCMP_ACT_ERRNO(13), library.syscallResolveName(native, "socket"), [
      { arg: 0, op: SCMP_CMP_EQ, a: 2n, b: 0n }
    ])).toBe(0)
    expect(library.ruleAdd(ctx, SCMP_ACT_KILL_PROCESS, library.syscallResolveName(native, "write"), [
      { arg: 2, op: SCMP_CMP_GT, a: 0xdeadbeefcafef00dn, b: 0n }
    ])).toBe(0)
    return ctx
  }

  describe(`libseccomp binding (${binding})`, () => {
    it("version() reports libseccomp 2.5.x", () => {
      const { major, minor } = library.version()
      expect([major, minor]).toEqual([2, 5])
    })

    it("resolves syscall names to numbers and back on x86_64", () => {
      expect(library.archResolveName("x86_64")).toBe(native)
      expect(library.syscallResolveName(native, "mkdir")).toBe(83)
      expect(library.syscallResolveNum(native, 83)).toBe("mkdir")
    })

    it("resolves syscalls for another architecture", () => {
      const x86 = library.archResolveName("x86")
      expect(x86).not.toBe(0)
      expect(library.syscallResolveName(x86, "mkdir")).toBe(39)
      expect(library.syscallResolveNum(x86, 39)).toBe("mkdir")
    })

    it("returns a negative number for an unknown syscall name and undefined for an unknown number", () => {
      expect(library.syscallResolveName(native, "mkdri")).toBeLessThan(0)
      expect(library.syscallResolveNum(native, 99_999)).toBeUndefined()
      expect(library.archResolveName("pdp11")).toBe(0)
    })

    it("compiles rules with conditions into BPF made of 8-byte instructions", () => {
      const ctx = sampleFilter()
      try {
        const bpf = library.exportBpf(ctx)
        if (typeof bpf === "number") throw new Error(`seccomp_export_bpf failed with ${bpf}`)
        expect(bpf.length).toBeGreaterThan(0)
        expect(bpf.length % 8).toBe(0)
      } finally {
        library.release(ctx)
      }
    })

    it("exports PFC text that shows both halves of a 64-bit value", () => {
      const ctx = sampleFilter()
      try {
        const pfc = library.exportPfc(ctx)
        if (typeof pfc === "number") throw new Error(`seccomp_export_pfc failed with ${pfc}`)
        expect(pfc).toContain(`filter for syscall "mkdir" (83)`)
        expect(pfc).toContain(String(0xdeadbeef)) // high 32 bits
        expect(pfc).toContain(String(0xcafef00d)) // low 32 bits
      } finally {
        library.release(ctx)
      }
    })

    it("returns libseccomp's -errno for a bad argument index and -EINVAL for values that do not fit", () => {
      const ctx = sampleFilter()
      try {
        expect(library.ruleAdd(ctx, SCMP_ACT_ERRNO(1), 2, [{ arg: 6, op: SCMP_CMP_EQ, a: 0n, b: 0n }])).toBe(-22)
        expect(library.ruleAdd(ctx, SCMP_ACT_ERRNO(1), 2, [{ arg: 0, op: SCMP_CMP_EQ, a: -1n, b: 0n }])).toBe(-22)
        expect(library.ruleAdd(ctx, SCMP_ACT_ERRNO(1), 2, [{ arg: 0, op: SCMP_CMP_EQ, a: 1n << 64n, b: 0n }])).toBe(-22)
        // A rule whose action equals the default action is refused with -EACCES.
        expect(library.ruleAdd(ctx, SCMP_ACT_ALLOW, 2, [])).toBe(-13)
      } finally {
        library.release(ctx)
      }
    })

    it("makes a released context inert instead of touching freed memory", () => {
      const ctx = sampleFilter()
      library.release(ctx)
      library.release(ctx)
      expect(library.exportBpf(ctx)).toBe(-22)
      expect(library.ruleAdd(ctx, SCMP_ACT_ERRNO(1), 83, [])).toBe(-22)
      expect(library.attrSet(ctx, 4, 1)).toBe(-22)
    })

    it("closes its memfd after every export", () => {
      const ctx = sampleFilter()
      try {
        const before = openFds()
        for (let i = 0; i < 1000; i++) {
          expect(typeof library.exportBpf(ctx)).not.toBe("number")
          expect(typeof library.exportPfc(ctx)).toBe("string")
        }
        expect(openFds()).toBe(before)
      } finally {
        library.release(ctx)
      }
    })

    it("fails with NativeLibraryError saying what to install when libseccomp is missing", () => {
      const exit = Effect.runSyncExit(make("libseccomp-missing.so.2"))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = failureOf(make, "libseccomp-missing.so.2")
      expect(error).toBeInstanceOf(NativeLibraryError)
      expect(error.problem).toBe("not-installed")
      expect(error.message).toBe(
        'libseccomp is not installed: install it with "apt-get install libseccomp2" (Debian/Ubuntu) or "dnf install libseccomp" (Fedora)'
      )
    })

    // A path that was given and is not there may be a typo: the message names it.
    it("names the path it was given when no library is there", () => {
      const missing = join(mkdtempSync(join(tmpdir(), "kakoi-lib-")), "libseccomp.so.2")
      const error = failureOf(make, missing)
      expect(error.problem).toBe("not-installed")
      expect(error.message).toBe(
        `libseccomp was not found at "${missing}": check the path, or install it with "apt-get install libseccomp2" (Debian/Ubuntu) or "dnf install libseccomp" (Fedora)`
      )
    })

    // Which missing symbol is named first is the runtime's choice (Deno's dlopen does not keep declaration order).
    it("fails with a missing-symbol NativeLibraryError when the file is another library", () => {
      const error = failureOf(make, "libc.so.6")
      expect(error.problem).toBe("missing-symbol")
      expect(error.message).toMatch(/^libseccomp is too old: "libc\.so\.6" has no "seccomp_\w+": install libseccomp 2\.5 or later with "apt-get install libseccomp2"/)
    })

    // Installing libseccomp would not help: the file is there and is not a library. Told "not installed", a user
    // would reinstall what they have.
    it("fails with a load-failed NativeLibraryError, not \"not installed\", when the file is there but cannot be loaded", () => {
      const notLibrary = join(mkdtempSync(join(tmpdir(), "kakoi-lib-")), "libseccomp.so.2")
      writeFileSync(notLibrary, "not an ELF file")
      const error = failureOf(make, notLibrary)
      expect(error).toBeInstanceOf(NativeLibraryError)
      expect(error.problem).toBe("load-failed")
      expect(error.message).toMatch(new RegExp(`^libseccomp \\("${notLibrary.replaceAll(".", "\\.")}"\\) could not be loaded: .*file too short.*: the runtime's FFI must be able to load it`))
    })
  })
}
