/**
 * Syscall names ↔ numbers for any architecture libseccomp knows, with typed
 * errors and "did you mean" suggestions. The list of known names per
 * architecture comes from walking numbers 0..1023 through libseccomp once
 * (under 1 ms) and is cached; libseccomp has no call that lists them.
 */
import { Effect } from "effect"
import { SyscallError } from "./errors.ts"
import type { SeccompLibraryShape } from "./library.ts"
import { SeccompLibrary } from "./library.ts"
import { suggest } from "../../core/suggest.ts"

/**
 * Architecture names libseccomp 2.5 resolves (`seccomp_arch_resolve_name`), for `arches` and look-ups.
 *
 * @example
 * ```ts
 * import { archNames } from "kakoi/seccomp"
 *
 * archNames.includes("aarch64") // true
 * ```
 */
export const archNames: ReadonlyArray<string> = [
  "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mipsel", "mips64", "mipsel64", "mips64n32",
  "mipsel64n32", "parisc", "parisc64", "ppc", "ppc64", "ppc64le", "s390", "s390x", "riscv64"
]

/** libseccomp's __NR_SCMP_ERROR: the name is unknown on every architecture. */
const unknownSyscall = -1

const tables = new Map<number, ReadonlyArray<string>>()

/**
 * Every syscall name of an architecture (by its AUDIT_ARCH token), cached.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { SeccompLibrary } from "kakoi/seccomp"
 * import { syscallTable } from "./syscalls.ts"
 *
 * const library = await Effect.runPromise(Effect.provide(Effect.gen(function* () { return yield* SeccompLibrary }), layer))
 * syscallTable(library, 0xc000003e)[83] // "mkdir": the index is the syscall number
 * ```
 */
export const syscallTable = (library: SeccompLibraryShape, arch: number): ReadonlyArray<string> => {
  const cached = tables.get(arch)
  if (cached !== undefined) return cached
  const names: Array<string> = []
  for (let number = 0; number < 1024; number++) {
    const name = library.syscallResolveNum(arch, number)
    if (name !== undefined) names.push(name)
  }
  tables.set(arch, names)
  return names
}

/**
 * The name of an architecture token, e.g. `"x86_64"` for 0xc000003e.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { SeccompLibrary } from "kakoi/seccomp"
 * import { archName } from "./syscalls.ts"
 *
 * const library = await Effect.runPromise(Effect.provide(Effect.gen(function* () { return yield* SeccompLibrary }), layer))
 * archName(library, 0x40000003) // "x86"
 * ```
 */
export const archName = (library: SeccompLibraryShape, arch: number): string =>
  archNames.find((name) => library.archResolveName(name) === arch) ?? `0x${arch.toString(16)}`

/** The token of an architecture name (undefined: native), or a `SyscallError`. */
const resolveArch = (library: SeccompLibraryShape, arch: string | undefined): Effect.Effect<number, SyscallError> => {
  if (arch === undefined) return Effect.succeed(library.archNative())
  const token = /^[a-z0-9_]+$/.test(arch) ? library.archResolveName(arch) : 0
  return token === 0
    ? Effect.fail(new SyscallError({ reason: "UnknownArch", value: arch, arch, suggestions: suggest(arch, archNames) }))
    : Effect.succeed(token)
}

/**
 * The number of a syscall on an architecture (native when omitted). Fails
 * with `UnknownSyscall` (and suggestions) for a name libseccomp does not know,
 * `NotOnArch` for one that exists elsewhere only (e.g. "mkdir" on aarch64).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { syscallNumber } from "kakoi/seccomp"
 *
 * await Effect.runPromise(Effect.provide(syscallNumber("mkdir"), layer)) // 83 on x86_64
 * await Effect.runPromise(Effect.provide(syscallNumber("mkdir", "x86"), layer)) // 39
 * ```
 */
export const syscallNumber: (name: string, arch?: string) => Effect.Effect<number, SyscallError, SeccompLibrary> = Effect.fn(
  "seccomp.syscallNumber"
)(function*(name: string, arch?: string) {
  const library = yield* SeccompLibrary
  const token = yield* resolveArch(library, arch)
  // libseccomp reads a C string: "mkdir\u0000x" would resolve as "mkdir".
  if (!/^[A-Za-z0-9_]+$/.test(name)) return yield* new SyscallError({ reason: "UnknownSyscall", value: name, arch, suggestions: [] })
  const number = library.syscallResolveName(token, name)
  if (number === unknownSyscall) {
    const suggestions = suggest(name, syscallTable(library, token))
    return yield* new SyscallError({ reason: "UnknownSyscall", value: name, arch, suggestions })
  }
  if (number < 0) {
    return yield* new SyscallError({ reason: "NotOnArch", value: name, arch: arch ?? archName(library, token), suggestions: [] })
  }
  return number
})

/**
 * The name of a syscall number on an architecture (native when omitted).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { syscallName } from "kakoi/seccomp"
 *
 * await Effect.runPromise(Effect.provide(syscallName(59), layer)) // "execve" on x86_64
 * await Effect.runPromise(Effect.provide(syscallName(221, "aarch64"), layer)) // "execve"
 * ```
 */
export const syscallName: (number: number, arch?: string) => Effect.Effect<string, SyscallError, SeccompLibrary> = Effect.fn(
  "seccomp.syscallName"
)(function*(number: number, arch?: string) {
  const library = yield* SeccompLibrary
  const token = yield* resolveArch(library, arch)
  const name = Number.isInteger(number) ? library.syscallResolveNum(token, number) : undefined
  if (name === undefined) return yield* new SyscallError({ reason: "UnknownNumber", value: String(number), arch, suggestions: [] })
  return name
})

/**
 * Every syscall name of an architecture (native when omitted), in number order.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { syscallNames } from "kakoi/seccomp"
 *
 * const names = await Effect.runPromise(Effect.provide(syscallNames("x86"), layer))
 * names.includes("socketcall") // true
 * ```
 */
export const syscallNames: (arch?: string) => Effect.Effect<ReadonlyArray<string>, SyscallError, SeccompLibrary> = Effect.fn(
  "seccomp.syscallNames"
)(function*(arch?: string) {
  const library = yield* SeccompLibrary
  return syscallTable(library, yield* resolveArch(library, arch))
})
