/**
 * The constants the parent's half of the native launcher passes to libc.
 * Those core/arch already has are taken from there; the rest (mmap, waitid,
 * sockets, a few fcntl and errno values) are the same on x86_64 and aarch64
 * (asm-generic) and only ever reach libc functions by name, never as raw
 * syscall numbers. Fold them into core/arch/generic.ts when it settles.
 */
import { constants, errno, signals } from "../arch/generic.ts"

/** clone(2) flags and the exit signal. */
export const clone: Readonly<Record<"CLONE_VM" | "CLONE_PIDFD" | "CLONE_VFORK" | "SIGCHLD", number>> = { CLONE_VM: constants.CLONE_VM, CLONE_PIDFD: constants.CLONE_PIDFD, CLONE_VFORK: constants.CLONE_VFORK, SIGCHLD: signals.SIGCHLD }

/** mmap(2) and mprotect(2). */
export const memory = {
  PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4,
  MAP_PRIVATE: 0x02, MAP_ANONYMOUS: 0x20, MAP_STACK: 0x20000,
  /** mmap's failure value, (void *) -1. */
  MAP_FAILED: 0xffffffffffffffffn,
  PAGE: 4096
} as const

/** open(2), fcntl(2), pipes and sockets. */
export const files: Readonly<Record<"O_RDONLY" | "O_WRONLY" | "O_RDWR" | "O_ACCMODE" | "O_NONBLOCK" | "O_CLOEXEC" | "F_DUPFD_CLOEXEC" | "F_GETFL" | "F_SETFL" | "AF_UNIX" | "SOCK_STREAM" | "SOCK_CLOEXEC" | "O_NOCTTY" | "O_APPEND" | "SEEK_CUR", number>> = {
  O_RDONLY: 0, O_WRONLY: constants.O_WRONLY, O_RDWR: 2, O_ACCMODE: 3, O_NONBLOCK: constants.O_NONBLOCK, O_CLOEXEC: constants.O_CLOEXEC,
  F_DUPFD_CLOEXEC: 1030, F_GETFL: 3, F_SETFL: constants.F_SETFL,
  AF_UNIX: 1, SOCK_STREAM: 1, SOCK_CLOEXEC: constants.O_CLOEXEC,
  O_NOCTTY: 0o400, O_APPEND: 0o2000, SEEK_CUR: 1
}

/** waitid(2) and the siginfo_t it fills (si_code at 8, si_pid at 16, si_status at 24). */
export const wait: Readonly<Record<"P_PIDFD" | "WEXITED" | "WNOHANG" | "CLD_EXITED" | "CLD_KILLED" | "CLD_DUMPED" | "siginfoSize" | "siCode" | "siPid" | "siStatus", number>> = {
  P_PIDFD: 3, WEXITED: 4, WNOHANG: constants.WNOHANG, CLD_EXITED: 1, CLD_KILLED: 2, CLD_DUMPED: 3,
  siginfoSize: 128, siCode: 8, siPid: 16, siStatus: 24
}

/** rt_sigprocmask(2). */
export const signalMask: Readonly<Record<"SIG_SETMASK" | "sigsetSize", number>> = { SIG_SETMASK: constants.SIG_SETMASK, sigsetSize: constants.SIGSET_SIZE }

/** poll(2) events. */
export const pollEvents: Readonly<Record<"POLLIN" | "POLLOUT" | "POLLERR" | "POLLHUP" | "POLLNVAL", number>> = { POLLIN: constants.POLLIN, POLLOUT: constants.POLLOUT, POLLERR: constants.POLLERR, POLLHUP: constants.POLLHUP, POLLNVAL: 0x20 }

/** errno values the parent's launcher code tests for. */
export const errnos: Readonly<Record<"EINTR" | "EAGAIN" | "EBADF" | "ESRCH" | "ESPIPE", number>> = {
  EINTR: errno.EINTR, EAGAIN: errno.EAGAIN, EBADF: errno.EBADF, ESRCH: errno.ESRCH, ESPIPE: errno.ESPIPE
}

/**
 * Syscalls newer than Linux 5.1 have one number on every arch (the unified
 * table), and glibc only wraps pidfd_send_signal since 2.36.
 */
export const unifiedSyscalls = { pidfd_send_signal: 424, pidfd_getfd: 438 } as const
