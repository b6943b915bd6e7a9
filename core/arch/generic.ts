/**
 * Numbers that x86_64 and aarch64 share because both follow the kernel's
 * asm-generic headers: errno values, the ioctl encoding of the seccomp notify
 * requests, prctl/seccomp/clone constants and the kernel structs that have the
 * same layout on every 64-bit arch kakoi supports. Each arch module
 * (x86_64.ts, aarch64.ts) re-exports these next to its own syscall numbers, so
 * code asks its arch table and never writes a literal.
 */

import { errnoTable } from "./errno.ts"

/**
 * errno numbers by name, e.g. `errno.EACCES` (include/uapi/asm-generic/errno*.h).
 *
 * @example
 * ```ts
 * type Eacces = ErrnoNumbers["EACCES"] // 13
 * ```
 */
export type ErrnoNumbers = { readonly [Name in keyof typeof errnoTable]: (typeof errnoTable)[Name][0] }

/**
 * errno numbers by name, from the one errno table (errno.ts).
 *
 * @example
 * ```ts
 * errno.ENOENT // 2
 * ```
 */
export const errno: ErrnoNumbers = Object.fromEntries(Object.entries(errnoTable).map(([name, [number]]) => [name, number])) as ErrnoNumbers

/**
 * ioctl(2) requests of a seccomp notify listener (linux/seccomp.h, generic _IOC encoding).
 *
 * @example
 * ```ts
 * seccompIoctl.NOTIF_RECV // 0xc0502100n
 * ```
 */
export const seccompIoctl = {
  /** _IOWR('!', 0, struct seccomp_notif) */
  NOTIF_RECV: 0xc0502100n,
  /** _IOWR('!', 1, struct seccomp_notif_resp) */
  NOTIF_SEND: 0xc0182101n,
  /** _IOW('!', 2, __u64) */
  NOTIF_ID_VALID: 0x40082102n,
  /** _IOW('!', 3, struct seccomp_notif_addfd) */
  NOTIF_ADDFD: 0x40182103n,
  /** _IOW('!', 4, __u64), the flag passed by value */
  NOTIF_SET_FLAGS: 0x40082104n
} as const

/**
 * Constants of the calls the child program, the seccomp loader and the notify plumbing make.
 *
 * @example
 * ```ts
 * constants.SECCOMP_FILTER_FLAG_NEW_LISTENER // 8
 * ```
 */
export const constants = {
  PR_SET_PDEATHSIG: 1,
  PR_SET_NO_NEW_PRIVS: 38,
  /** ptrace(2) request that attaches without stopping the tracee (the attack tests' probe). */
  PTRACE_SEIZE: 0x4206,
  /** ptrace(2) request that lets a tracee go (the init's, for a target that made it its tracer). */
  PTRACE_DETACH: 17,
  SECCOMP_SET_MODE_FILTER: 1,
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_NEW_LISTENER: 8,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH: 16,
  SECCOMP_USER_NOTIF_FLAG_CONTINUE: 1,
  /** SECCOMP_ADDFD_FLAG_SEND (Linux 5.14): install the fd and answer the call with its number, atomically. */
  SECCOMP_ADDFD_FLAG_SEND: 2,
  SIG_SETMASK: 2,
  /** The handler value of an ignored signal in struct sigaction. */
  SIG_IGN: 1,
  /** The highest real-time signal number. */
  SIGRTMAX: 64,
  /** sizeof(kernel sigset_t): the sigsetsize argument of rt_sig* calls. */
  SIGSET_SIZE: 8,
  O_CLOEXEC: 0o2000000,
  O_NONBLOCK: 0o4000,
  O_RDWR: 2,
  O_ACCMODE: 3,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_APPEND: 0o2000,
  O_PATH: 0o10000000,
  F_DUPFD: 0,
  F_DUPFD_CLOEXEC: 1030,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  SEEK_CUR: 1,
  AF_UNIX: 1,
  SOCK_STREAM: 1,
  SOCK_CLOEXEC: 0o2000000,
  PROT_NONE: 0,
  PROT_READ: 1,
  PROT_WRITE: 2,
  PROT_EXEC: 4,
  MAP_PRIVATE: 0x02,
  MAP_ANONYMOUS: 0x20,
  MAP_STACK: 0x20000,
  /** mmap's failure value, (void *) -1. */
  MAP_FAILED: 0xffffffffffffffffn,
  PAGE_SIZE: 4096,
  /** linux/limits.h: the longest path a syscall takes, NUL included. */
  PATH_MAX: 4096,
  RESOLVE_NO_MAGICLINKS: 0x02,
  RESOLVE_NO_SYMLINKS: 0x04,
  RESOLVE_BENEATH: 0x08,
  RESOLVE_IN_ROOT: 0x10,
  /** statfs f_type of /proc (linux/magic.h). */
  PROC_SUPER_MAGIC: 0x9fa0n,
  FD_CLOEXEC: 1,
  MFD_CLOEXEC: 1,
  POLLIN: 0x1,
  POLLOUT: 0x4,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  CLOSE_RANGE_CLOEXEC: 4,
  EFD_CLOEXEC: 0o2000000,
  EFD_NONBLOCK: 0o4000,
  RLIM_INFINITY: 0xffffffffffffffffn,
  CLONE_VM: 0x100,
  CLONE_FILES: 0x400,
  CLONE_PIDFD: 0x1000,
  CLONE_VFORK: 0x4000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  WNOHANG: 1,
  WEXITED: 4,
  /** waitid for any child, also one that sends no signal when it ends (a "clone" child: kakoi's). */
  __WALL: 0x40000000,
  P_PIDFD: 3,
  /** siginfo si_code of a child that exited (rather than was killed). */
  CLD_EXITED: 1,
  /** pidfd_send_signal's flag (Linux 6.9): signal the process group the pidfd's process leads. */
  PIDFD_SIGNAL_PROCESS_GROUP: 4,
  AT_FDCWD: -100,
  O_WRONLY: 1,
  SFD_CLOEXEC: 0o2000000,
  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET: 1,
  LANDLOCK_SCOPE_SIGNAL: 2,
  LANDLOCK_CREATE_RULESET_VERSION: 1,
  LANDLOCK_RULE_PATH_BENEATH: 1,
  LANDLOCK_RULE_NET_PORT: 2,
  // The fences (core/program/rules/*, plugins/sandbox): open(2), namespaces, mounts, identity, network.
  O_RDONLY: 0,
  AT_REMOVEDIR: 0x200,
  AT_RECURSIVE: 0x8000,
  F_OK: 0,
  X_OK: 1,
  W_OK: 2,
  R_OK: 4,
  S_IFMT: 0o170000,
  S_IFDIR: 0o040000,
  S_IFCHR: 0o020000,
  S_IFBLK: 0o060000,
  CLONE_NEWTIME: 0x80,
  CLONE_NEWNS: 0x20000,
  CLONE_NEWCGROUP: 0x2000000,
  CLONE_NEWUTS: 0x4000000,
  CLONE_NEWIPC: 0x8000000,
  CLONE_NEWNET: 0x40000000,
  MS_RDONLY: 1,
  MS_NOSUID: 2,
  MS_NODEV: 4,
  MS_NOEXEC: 8,
  MS_REMOUNT: 32,
  MS_BIND: 4096,
  MS_MOVE: 8192,
  MS_REC: 16384,
  MS_PRIVATE: 0x40000,
  MS_SLAVE: 0x80000,
  MNT_DETACH: 2,
  MOUNT_ATTR_RDONLY: 0x1,
  MOUNT_ATTR_NOSUID: 0x2,
  MOUNT_ATTR_NODEV: 0x4,
  MOUNT_ATTR_NOEXEC: 0x8,
  OPEN_TREE_CLONE: 1,
  MOVE_MOUNT_F_EMPTY_PATH: 4,
  PR_SET_KEEPCAPS: 8,
  PR_CAPBSET_DROP: 24,
  PR_SET_SECUREBITS: 28,
  PR_GET_NO_NEW_PRIVS: 39,
  PR_CAP_AMBIENT: 47,
  PR_CAP_AMBIENT_RAISE: 2,
  PR_CAP_AMBIENT_CLEAR_ALL: 4,
  /** _LINUX_CAPABILITY_VERSION_3 (capset's header). */
  LINUX_CAPABILITY_VERSION_3: 0x20080522,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
  AF_INET: 2,
  AF_INET6: 10,
  AF_PACKET: 17,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  IPPROTO_ICMP: 1,
  INADDR_LOOPBACK: 0x7f000001,
  SIOCGIFFLAGS: 0x8913,
  SIOCSIFFLAGS: 0x8914,
  IFF_UP: 1,
  SECCOMP_GET_ACTION_AVAIL: 2,
  SECCOMP_RET_USER_NOTIF: 0x7fc00000,
  /** Raw syscalls return -errno in this range; anything else is a result. */
  MAX_ERRNO: 4095
} as const

/**
 * Resource numbers of setrlimit/prlimit64 (asm-generic/resource.h; x86_64 uses the same).
 *
 * @example
 * ```ts
 * rlimitResource.nofile // 7
 * ```
 */
export const rlimitResource = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7,
  memlock: 8, as: 9, locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15
} as const

/**
 * Signal numbers (x86_64 and aarch64 share asm-generic's); SIGRTMAX is in `constants`.
 *
 * @example
 * ```ts
 * signals.SIGSYS // 31
 * ```
 */
export const signals = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31
} as const

/**
 * Struct layouts (sizes and byte offsets, little-endian, LP64).
 * - `rlimit`: { u64 cur; u64 max }
 * - `signalfdSiginfo`, `landlockRulesetAttr`: what signalfd reads and landlock_create_ruleset takes
 * - `sockFprog`: { u16 len; pad; const struct sock_filter *filter at 8 }, filter entries 8 bytes
 * - `kernelSigaction`: what rt_sigaction reads: { handler; flags; restorer; sigset_t mask }
 *   (x86_64 and arm64 both define SA_RESTORER, so the restorer slot exists on both)
 * - `seccompNotif`: { u64 id; u32 pid; u32 flags; seccomp_data { i32 nr; u32 arch; u64 ip; u64 args[6] } }
 * - `seccompNotifResp`: { u64 id; i64 val; i32 error; u32 flags }
 * - `seccompNotifAddfd`, `openHow`, `statfs`, `siginfo`: what ADDFD, openat2, fstatfs and waitid take or fill
 *
 * @example
 * ```ts
 * structs.sockFprog.filter // 8
 * ```
 */
export const structs = {
  rlimit: { size: 16, cur: 0, max: 8 },
  /** struct signalfd_siginfo: 128 bytes, the signal number first. */
  signalfdSiginfo: { size: 128, signo: 0 },
  /** struct landlock_ruleset_attr { u64 handled_access_fs; u64 handled_access_net; u64 scoped } */
  landlockRulesetAttr: { size: 24, handledAccessFs: 0, handledAccessNet: 8, scoped: 16 },
  sockFprog: { size: 16, len: 0, filter: 8, instructionSize: 8 },
  kernelSigaction: { size: 32, handler: 0, flags: 8, restorer: 16, mask: 24 },
  seccompNotif: { size: 80, id: 0, pid: 8, flags: 12, nr: 16, arch: 20, instructionPointer: 24, args: 32 },
  seccompNotifResp: { size: 24, id: 0, val: 8, error: 16, flags: 20 },
  /** struct seccomp_notif_addfd { u64 id; u32 flags; u32 srcfd; u32 newfd; u32 newfd_flags } */
  seccompNotifAddfd: { size: 24, id: 0, flags: 8, srcfd: 12, newfd: 16, newfdFlags: 20 },
  /** struct open_how { u64 flags; u64 mode; u64 resolve } (openat2) */
  openHow: { size: 24, flags: 0, mode: 8, resolve: 16 },
  /** struct statfs (asm-generic, 64-bit words): f_type first */
  statfs: { size: 120, type: 0 },
  /** siginfo_t as waitid fills it for a child: si_code, si_pid, si_status */
  siginfo: { size: 128, code: 8, pid: 16, status: 24 },
  /** struct mount_attr { u64 attr_set; u64 attr_clr; u64 propagation; u64 userns_fd } (mount_setattr) */
  mountAttr: { size: 32, set: 0, clear: 8, propagation: 16, usernsFd: 24 },
  /** struct ifreq: char name[16], then the union (ifr_flags, a short, first); IFNAMSIZ 16 */
  ifreq: { size: 40, name: 0, nameSize: 16, flags: 16 },
  /** capset's struct __user_cap_header_struct { u32 version; i32 pid } and two __user_cap_data_struct { u32 effective, permitted, inheritable } */
  capUserHeader: { size: 8, version: 0, pid: 4 },
  capUserData: { size: 24, entrySize: 12, effective: 0, permitted: 4, inheritable: 8 },
  /** struct sockaddr_in { u16 family; u16 port (big-endian); u32 address (big-endian); u8 zero[8] } */
  sockaddrIn: { size: 16, family: 0, port: 2, address: 4 },
  /** struct landlock_path_beneath_attr { u64 allowed_access; s32 parent_fd } (packed) */
  landlockPathBeneath: { size: 12, allowedAccess: 0, parentFd: 8 },
  /** struct landlock_net_port_attr { u64 allowed_access; u64 port } */
  landlockNetPort: { size: 16, allowedAccess: 0, port: 8 },
  /** struct io_uring_params: all zero asks for the defaults */
  ioUringParams: { size: 120 }
} as const

/**
 * Landlock's access rights (linux/landlock.h), by the ABI that introduced
 * them, and the size of `struct landlock_ruleset_attr` an ABI knows
 * (handled_access_fs: 1, handled_access_net: 4, scoped: 6).
 *
 * @example
 * ```ts
 * landlockAccess.fs.READ_FILE // 4n
 * ```
 */
export const landlockAccess = {
  fs: {
    EXECUTE: 0x1n, WRITE_FILE: 0x2n, READ_FILE: 0x4n, READ_DIR: 0x8n, REMOVE_DIR: 0x10n, REMOVE_FILE: 0x20n,
    MAKE_CHAR: 0x40n, MAKE_DIR: 0x80n, MAKE_REG: 0x100n, MAKE_SOCK: 0x200n, MAKE_FIFO: 0x400n, MAKE_BLOCK: 0x800n,
    MAKE_SYM: 0x1000n,
    /** ABI 2 */ REFER: 0x2000n,
    /** ABI 3 */ TRUNCATE: 0x4000n,
    /** ABI 5 */ IOCTL_DEV: 0x8000n
  },
  /** ABI 4 */
  net: { BIND_TCP: 0x1n, CONNECT_TCP: 0x2n },
  /** ABI 6 */
  scope: { ABSTRACT_UNIX_SOCKET: 0x1n, SIGNAL: 0x2n },
  rulesetAttrSize: (abi: number): number => (abi >= 6 ? 24 : abi >= 4 ? 16 : 8)
} as const
