/**
 * The other ABIs' twins of a call: i386 (and arm, ppc, s390, ...) kept the
 * 16-bit-id and 32-bit-offset calls under the x86_64 names and added
 * `chown32`, `setuid32`, `stat64`, `truncate64`, `fcntl64`, `mmap2`, ... for
 * what programs really call there. A rule for `chown` with "x86" in arches
 * would leave `chown32` working through `int 0x80`, so every rule for a call
 * (by name, family or group) also covers its twins when the policy lists such
 * an ABI. libseccomp knows the twins by name and puts them in the part of the
 * filter for the ABIs that have them.
 */

/**
 * A twin, and how many leading arguments mean what the call's own do: a
 * condition on a later argument cannot be carried over (truncate64's length
 * is split into two registers; mmap2's offset counts pages).
 *
 * @example
 * ```ts
 * const twin: Twin = { name: "truncate64", same: 1 }
 * ```
 */
export interface Twin {
  readonly name: string
  readonly same: number
}

const all = 6
const table: Readonly<Record<string, ReadonlyArray<Twin>>> = {
  chown: [{ name: "chown32", same: all }],
  lchown: [{ name: "lchown32", same: all }],
  fchown: [{ name: "fchown32", same: all }],
  setuid: [{ name: "setuid32", same: all }],
  setgid: [{ name: "setgid32", same: all }],
  setreuid: [{ name: "setreuid32", same: all }],
  setregid: [{ name: "setregid32", same: all }],
  setresuid: [{ name: "setresuid32", same: all }],
  setresgid: [{ name: "setresgid32", same: all }],
  setfsuid: [{ name: "setfsuid32", same: all }],
  setfsgid: [{ name: "setfsgid32", same: all }],
  setgroups: [{ name: "setgroups32", same: all }],
  stat: [{ name: "stat64", same: all }, { name: "oldstat", same: all }],
  lstat: [{ name: "lstat64", same: all }, { name: "oldlstat", same: all }],
  fstat: [{ name: "fstat64", same: all }, { name: "oldfstat", same: all }],
  newfstatat: [{ name: "fstatat64", same: all }],
  statfs: [{ name: "statfs64", same: 1 }],
  fstatfs: [{ name: "fstatfs64", same: 1 }],
  truncate: [{ name: "truncate64", same: 1 }],
  ftruncate: [{ name: "ftruncate64", same: 1 }],
  fcntl: [{ name: "fcntl64", same: all }],
  mmap: [{ name: "mmap2", same: 5 }],
  wait4: [{ name: "waitpid", same: 3 }],
  sendfile: [{ name: "sendfile64", same: all }],
  utimensat: [{ name: "utimensat_time64", same: all }],
  futex: [{ name: "futex_time64", same: all }]
}

/**
 * ABIs (libseccomp's names) that have such twins.
 *
 * @example
 * ```ts
 * twinArches.has("x86") // true
 * ```
 */
export const twinArches: ReadonlySet<string> = new Set(["x86", "arm", "ppc", "s390", "mips", "mipsel", "parisc"])

/**
 * The twins of a call on other ABIs; empty for most calls.
 *
 * @example
 * ```ts
 * twinsOf("chown") // [{ name: "chown32", same: 6 }]
 * ```
 */
export const twinsOf = (syscall: string): ReadonlyArray<Twin> => (Object.hasOwn(table, syscall) ? (table[syscall] ?? []) : [])
