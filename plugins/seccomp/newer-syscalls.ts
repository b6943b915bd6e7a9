/**
 * Syscalls the kernel here (6.18) has and libseccomp 2.5.4 does not know by
 * name, by number. Since Linux 5.1 (number 424) a new syscall gets one number
 * on every architecture but alpha, ia64 and mips (which add an offset), so one
 * table serves the native ABIs listed in `numberedArches`. compile.ts uses a
 * number only where libseccomp does not resolve the name (a newer libseccomp
 * does), and only for the native ABI: libseccomp 2.5 translates a rule's
 * number to another ABI through its name, which it lacks (-EFAULT).
 * (Numbers go to core/arch/ once that module exists.)
 */

const numbers: Readonly<Record<string, number>> = {
  statmount: 457,
  listmount: 458,
  lsm_get_self_attr: 459,
  lsm_set_self_attr: 460,
  lsm_list_modules: 461,
  mseal: 462,
  setxattrat: 463,
  getxattrat: 464,
  listxattrat: 465,
  removexattrat: 466,
  open_tree_attr: 467,
  file_getattr: 468,
  file_setattr: 469
}

/**
 * Native ABIs (libseccomp's names) whose numbers for these calls are the common ones.
 *
 * @example
 * ```ts
 * numberedArches.has("x86_64") // true
 * ```
 */
export const numberedArches: ReadonlySet<string> = new Set(["x86_64", "x86", "aarch64", "arm", "riscv64", "ppc", "ppc64", "ppc64le", "s390", "s390x", "parisc", "parisc64", "loongarch64"])

/**
 * The number of a syscall newer than libseccomp 2.5.4's tables; undefined for any other name.
 *
 * @example
 * ```ts
 * newerSyscall("setxattrat") // 463
 * newerSyscall("mkdir") // undefined
 * ```
 */
export const newerSyscall = (name: string): number | undefined => (Object.hasOwn(numbers, name) ? numbers[name] : undefined)
