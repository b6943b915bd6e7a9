/**
 * x86_64 numbers: syscall numbers from arch/x86/entry/syscalls/syscall_64.tbl,
 * and the asm-generic values x86_64 shares with aarch64 (generic.ts).
 */
import { constants, errno, landlockAccess, rlimitResource, seccompIoctl, signals, structs } from "./generic.ts"
import type { ArchTable } from "./table.ts"

/**
 * The x86_64 table.
 *
 * @example
 * ```ts
 * import { x86_64 } from "./x86_64.ts"
 *
 * x86_64.syscalls.seccomp // 317
 * ```
 */
export const x86_64: ArchTable = {
  arch: "x86_64",
  auditArch: 0xc000003e,
  syscalls: {
    read: 0, write: 1, close: 3, ioctl: 16, kill: 62, readlinkat: 267, eventfd2: 290,
    pidfd_open: 434, pidfd_getfd: 438, pidfd_send_signal: 424, ppoll: 271, prctl: 157, getppid: 110, rt_sigaction: 13,
    rt_sigprocmask: 14, dup3: 292, close_range: 436, prlimit64: 302, chdir: 80, umask: 95,
    setsid: 112, seccomp: 317, execve: 59, exit_group: 231, clone: 56, wait4: 61, signalfd4: 289,
    openat: 257, landlock_create_ruleset: 444, landlock_restrict_self: 446,
    fstat: 5, getpid: 39, geteuid: 107, socket: 41, connect: 42, bind: 49, capset: 126, mount: 165, umount2: 166,
    pivot_root: 155, sethostname: 170, setdomainname: 171, setgroups: 116, setresuid: 117, setresgid: 119, unshare: 272,
    mkdirat: 258, fchdir: 81, io_uring_setup: 425, faccessat: 269, unlinkat: 263, symlinkat: 266, mount_setattr: 442,
    open_tree: 428, move_mount: 429, landlock_add_rule: 445, ptrace: 101, fcntl: 72, openat2: 437, fstatfs: 138
  },
  // O_TMPFILE is __O_TMPFILE (0o20000000, generic) with O_DIRECTORY.
  openFlags: { O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_TMPFILE: 0o20200000 },
  errno, seccompIoctl, constants, rlimitResource, signals, structs, landlockAccess,
  /** asm-generic `struct stat` on arm64, x86_64's own layout there. */
  stat: { size: 144, mode: 24 }
}
