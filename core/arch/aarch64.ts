/**
 * aarch64 numbers: syscall numbers from include/uapi/asm-generic/unistd.h
 * (arm64 uses the generic table: no open, readlink, fork; only the *at and
 * *3 forms), and the asm-generic values shared with x86_64 (generic.ts).
 */
import { constants, errno, landlockAccess, rlimitResource, seccompIoctl, signals, structs } from "./generic.ts"
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
    pidfd_open: 434, pidfd_getfd: 438, pidfd_send_signal: 424, ppoll: 73, prctl: 167, getppid: 173, rt_sigaction: 134,
    rt_sigprocmask: 135, dup3: 24, close_range: 436, prlimit64: 261, chdir: 49, umask: 166,
    setsid: 157, seccomp: 277, execve: 221, exit_group: 94, clone: 220, wait4: 260, signalfd4: 74,
    openat: 56, landlock_create_ruleset: 444, landlock_restrict_self: 446,
    fstat: 80, getpid: 172, geteuid: 175, socket: 198, connect: 203, bind: 200, capset: 91, mount: 40, umount2: 39,
    pivot_root: 41, sethostname: 161, setdomainname: 162, setgroups: 159, setresuid: 147, setresgid: 149, unshare: 97,
    mkdirat: 34, fchdir: 50, io_uring_setup: 425, faccessat: 48, unlinkat: 35, symlinkat: 36, mount_setattr: 442,
    open_tree: 428, move_mount: 429, landlock_add_rule: 445, ptrace: 117, fcntl: 25, openat2: 437, fstatfs: 44
  },
  // O_TMPFILE is __O_TMPFILE (0o20000000, generic) with O_DIRECTORY.
  openFlags: { O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000, O_TMPFILE: 0o20040000 },
  errno, seccompIoctl, constants, rlimitResource, signals, structs, landlockAccess,
  /** asm-generic `struct stat` on arm64, x86_64's own layout there. */
  stat: { size: 128, mode: 16 }
}
