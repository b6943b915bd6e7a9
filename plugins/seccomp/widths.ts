/**
 * How many bits of each argument the kernel reads, for the syscalls people
 * filter. seccomp hands the filter all 64 bits of every argument register, but
 * a syscall declared `int fd` only looks at the low 32 (`umode_t`: the low 16):
 * `socket(0x1_0000_0002, ...)` is AF_INET to the kernel while a 64-bit
 * `arg0 == 2` comparison misses it. Facts from the kernel's SYSCALL_DEFINE
 * signatures on x86_64 (the native ABI here; on i386 every argument is 32 bits
 * and its high half is zero, so narrow comparisons hold there too). Arguments
 * not listed are `long`, `unsigned long`, `size_t` or pointers: 64 bits.
 * The table is in widths-table.ts.
 */
import { signedTable, widthTable } from "./widths-table.ts"

/**
 * Bits of an argument the kernel reads: 16 (`umode_t`), 32 (`int`, `unsigned
 * int`, `pid_t`, `uid_t`, ...) or 64.
 *
 * @example
 * ```ts
 * import type { ArgWidth } from "kakoi/seccomp"
 *
 * const width: ArgWidth = 32
 * ```
 */
export type ArgWidth = 16 | 32 | 64

/**
 * The bits the kernel reads of argument `index` of `syscall`; undefined when
 * the table has no entry for the syscall (the user may state a width).
 *
 * @example
 * ```ts
 * import { argWidth } from "kakoi/seccomp"
 *
 * argWidth("socket", 0) // 32
 * argWidth("openat", 3) // 16 (umode_t mode)
 * argWidth("clone", 0) // 32: the kernel reads clone's flags with lower_32_bits
 * argWidth("frobnicate", 0) // undefined
 * ```
 */
export const argWidth = (syscall: string, index: number): ArgWidth | undefined =>
  Object.hasOwn(widthTable, syscall) ? (widthTable[syscall]?.[index] ?? 64) : undefined

/**
 * Whether argument `index` of `syscall` is a signed process id (`pid_t`),
 * which ordering comparisons (`<`, `>=`, ...) compare signed.
 *
 * @example
 * ```ts
 * import { signedArg } from "./widths.ts"
 *
 * signedArg("kill", 0) // true: arg(0).lt(0) holds for kill(-1)
 * signedArg("socket", 0) // false
 * ```
 */
export const signedArg = (syscall: string, index: number): boolean =>
  Object.hasOwn(signedTable, syscall) && (signedTable[syscall]?.includes(index) ?? false)

// SOCK_TYPE_MASK (linux/net.h): socket's type carries SOCK_NONBLOCK and SOCK_CLOEXEC above it.
const typeMasks: Readonly<Record<string, Readonly<Record<number, bigint>>>> = { socket: { 1: 0xfn }, socketpair: { 1: 0xfn } }

/**
 * The bits of an argument that carry its value where flags ride above them
 * (socket's type: the kernel compares `type & SOCK_TYPE_MASK`); undefined for
 * an argument that is all value.
 *
 * @example
 * ```ts
 * import { valueMask } from "./widths.ts"
 *
 * valueMask("socket", 1) // 0xfn: SOCK_DGRAM | SOCK_CLOEXEC is a SOCK_DGRAM socket
 * ```
 */
export const valueMask = (syscall: string, index: number): bigint | undefined => (Object.hasOwn(typeMasks, syscall) ? typeMasks[syscall]?.[index] : undefined)
