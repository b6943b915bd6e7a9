/**
 * The constants the parent's half of the native launcher passes to libc
 * (clone flags, mmap, fcntl, waitid, socket). They are the same on x86_64 and
 * aarch64 (asm-generic), and only ever reach libc functions by name, never raw
 * syscall numbers; fold them into core/arch/generic.ts when it settles.
 */

/** clone(2) flags. */
export const clone = { CLONE_VM: 0x100, CLONE_PIDFD: 0x1000, CLONE_VFORK: 0x4000, SIGCHLD: 17 } as const

/** mmap(2) and mprotect(2). */
export const memory = {
  PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4,
  MAP_PRIVATE: 0x02, MAP_ANONYMOUS: 0x20, MAP_STACK: 0x20000,
  /** mmap's failure value, (void *) -1. */
  MAP_FAILED: 0xffffffffffffffffn,
  PAGE: 4096
} as const

/** open(2), fcntl(2), pipes and sockets. */
export const files = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_ACCMODE: 3, O_NONBLOCK: 0o4000, O_CLOEXEC: 0o2000000,
  F_DUPFD_CLOEXEC: 1030, F_GETFL: 3, F_SETFL: 4,
  AF_UNIX: 1, SOCK_STREAM: 1, SOCK_CLOEXEC: 0o2000000
} as const

/** waitid(2) and the siginfo_t it fills (si_code at 8, si_pid at 16, si_status at 24). */
export const wait = {
  P_PIDFD: 3, WEXITED: 4, WNOHANG: 1, CLD_EXITED: 1, CLD_KILLED: 2, CLD_DUMPED: 3,
  siginfoSize: 128, siCode: 8, siPid: 16, siStatus: 24
} as const

/** rt_sigprocmask(2). */
export const signalMask = { SIG_SETMASK: 2, sigsetSize: 8 } as const

/** poll(2) events. */
export const pollEvents = { POLLIN: 0x1, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10, POLLNVAL: 0x20 } as const

/** errno values the parent's launcher code tests for. */
export const errnos = { EINTR: 4, EAGAIN: 11, EBADF: 9, ESRCH: 3 } as const

/**
 * Syscalls newer than Linux 5.1 have one number on every arch (the unified
 * table), and glibc only wraps pidfd_send_signal since 2.36.
 */
export const unifiedSyscalls = { pidfd_send_signal: 424, pidfd_getfd: 438 } as const
