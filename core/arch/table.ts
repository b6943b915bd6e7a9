/**
 * The shape every per-architecture module (x86_64.ts, aarch64.ts) fills in:
 * the syscall numbers kakoi calls itself, plus the asm-generic numbers both
 * share. Adding a syscall here makes every arch module name it (a missing one
 * is a type error), which is how a new arch cannot silently lack a number.
 */
import type { constants, ErrnoNumbers, landlockAccess, rlimitResource, seccompIoctl, signals, structs } from "./generic.ts"

/**
 * The architectures kakoi has an interpreter and number table for.
 *
 * @example
 * ```ts
 * const arch: Arch = "aarch64"
 * ```
 */
export type Arch = "x86_64" | "aarch64"

/**
 * The syscalls kakoi issues itself (the child program, the notify plumbing, the signal helpers).
 *
 * @example
 * ```ts
 * const name: SyscallName = "execve"
 * ```
 */
export type SyscallName =
  | "read" | "write" | "close" | "ioctl" | "kill" | "readlinkat" | "eventfd2" | "pidfd_open" | "pidfd_getfd" | "pidfd_send_signal" | "ppoll"
  | "prctl" | "getppid" | "rt_sigaction" | "rt_sigprocmask" | "dup3" | "close_range" | "prlimit64"
  | "chdir" | "umask" | "setsid" | "seccomp" | "execve" | "exit_group"
  | "clone" | "wait4" | "signalfd4" | "openat" | "landlock_create_ruleset" | "landlock_restrict_self"
  | "openat2" | "fstatfs"
  // The fences' compile rules and the supervisor's host probes, Landlock ruleset builder and cgroup manager.
  | "fstat" | "getpid" | "geteuid" | "socket" | "connect" | "bind" | "capset" | "mount" | "umount2" | "pivot_root"
  | "sethostname" | "setdomainname" | "setgroups" | "setresuid" | "setresgid" | "unshare" | "mkdirat" | "fchdir"
  | "io_uring_setup" | "faccessat" | "unlinkat" | "symlinkat" | "mount_setattr" | "open_tree" | "move_mount"
  | "landlock_add_rule" | "ptrace" | "fcntl"

/**
 * One architecture's numbers.
 *
 * @example
 * ```ts
 * import { x86_64 } from "./x86_64.ts"
 *
 * x86_64.syscalls.execve // 59
 * ```
 */
export interface ArchTable {
  readonly arch: Arch
  /** AUDIT_ARCH_* value, which seccomp_data.arch and libseccomp's arch tokens carry. */
  readonly auditArch: number
  readonly syscalls: Readonly<Record<SyscallName, number>>
  /** The open(2) flags whose values differ between architectures (asm/fcntl.h). */
  readonly openFlags: { readonly O_DIRECTORY: number; readonly O_NOFOLLOW: number; readonly O_TMPFILE: number }
  readonly errno: ErrnoNumbers
  readonly seccompIoctl: typeof seccompIoctl
  readonly constants: typeof constants
  readonly rlimitResource: typeof rlimitResource
  readonly signals: typeof signals
  readonly structs: typeof structs
  readonly landlockAccess: typeof landlockAccess
  /** `struct stat` (fstat), which differs per arch: its size and where the u32 st_mode sits. */
  readonly stat: { readonly size: number; readonly mode: number }
}
