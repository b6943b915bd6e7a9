/**
 * aarch64 numbers: syscall numbers from include/uapi/asm-generic/unistd.h
 * (arm64 uses the generic table: no open, readlink, fork; only the *at and
 * *3 forms), and the asm-generic values shared with x86_64 (generic.ts).
 */
import { constants, errno, rlimitResource, seccompIoctl, signals, structs } from "./generic.ts"
import type { ArchTable } from "./table.ts"

/**
 * The aarch64 table.
 *
 * @example
 * ```ts
 * import { aarch64 } from "./aarch64.ts"
 *
 * aarch64.syscalls.execve // 221
 * ```
 */
export const aarch64: ArchTable = {
  arch: "aarch64",
  auditArch: 0xc00000b7,
  syscalls: {
    read: 63, write: 64, close: 57, ioctl: 29, kill: 129, readlinkat: 78, eventfd2: 19,
    pidfd_open: 434, pidfd_getfd: 438, pidfd_send_signal: 424, prctl: 167, getppid: 173, rt_sigaction: 134,
    rt_sigprocmask: 135, dup3: 24, close_range: 436, prlimit64: 261, chdir: 49, umask: 166,
    setsid: 157, seccomp: 277, execve: 221, exit_group: 94, clone: 220, wait4: 260, signalfd4: 74,
    openat: 56, landlock_create_ruleset: 444, landlock_restrict_self: 446, openat2: 437, mkdirat: 34, fstatfs: 44
  },
  // O_TMPFILE is __O_TMPFILE (0o20000000, generic) with O_DIRECTORY.
  openFlags: { O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000, O_TMPFILE: 0o20040000 },
  errno, seccompIoctl, constants, rlimitResource, signals, structs
}
