/**
 * libseccomp's architecture tokens as the `arch` a filter sees in
 * seccomp_data. They are the kernel's AUDIT_ARCH_* values, except x32:
 * libseccomp's SCMP_ARCH_X32 is EM_X86_64 | __AUDIT_ARCH_LE (0x4000003e), while
 * the kernel reports x32 calls as AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT set
 * in the number (which libseccomp's x32 syscall numbers already carry).
 */

/** SCMP_ARCH_X32 (libseccomp's seccomp.h). */
const SCMP_ARCH_X32 = 0x4000003e
/** AUDIT_ARCH_X86_64 (linux/audit.h): EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
const AUDIT_ARCH_X86_64 = 0xc000003e

/**
 * The seccomp_data `arch` of calls on an ABI, from its libseccomp token.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { auditArch, SeccompLibrary } from "kakoi/seccomp"
 *
 * const library = await Effect.runPromise(Effect.provide(Effect.gen(function* () { return yield* SeccompLibrary }), layer))
 *
 * auditArch(library.archResolveName("x32")) // 0xc000003e
 * auditArch(library.archResolveName("x86")) // 0x40000003
 * ```
 */
export const auditArch = (token: number): number => (token === SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token)
