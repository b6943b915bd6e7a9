/**
 * The x86_64 numbers the fences and the host probes need: syscall numbers,
 * flags, ioctls and struct layouts, in one place (the briefing's rule). When
 * the native launcher's `core/arch/x86_64.ts` lands, these move there as they
 * are; nothing else in the fences spells a number.
 */

/**
 * Syscall numbers on x86_64 for the calls the fence steps and probes make.
 *
 * @example
 * ```ts
 * import { syscalls } from "./x86_64.ts"
 *
 * syscalls.landlock_create_ruleset // 444
 * ```
 */
export const syscalls = {
  read: 0, write: 1, close: 3, fstat: 5, ioctl: 16, getpid: 39, socket: 41, connect: 42, bind: 49, kill: 62, exit_group: 231,
  capset: 126, prctl: 157, mount: 165, umount2: 166, pivot_root: 155, sethostname: 170, setdomainname: 171,
  setgroups: 116, setresuid: 117, setresgid: 119, unshare: 272, openat: 257, mkdirat: 258, fchdir: 81,
  chdir: 80, io_uring_setup: 425, seccomp: 317, faccessat: 269, unlinkat: 263, geteuid: 107, symlinkat: 266, mount_setattr: 442, open_tree: 428, move_mount: 429, ptrace: 101, pidfd_open: 434, pidfd_getfd: 438,
  landlock_create_ruleset: 444, landlock_add_rule: 445, landlock_restrict_self: 446
} as const

/**
 * The syscalls a fence step may make, by name.
 *
 * @example
 * ```ts
 * import type { SyscallName } from "./x86_64.ts"
 *
 * const name: SyscallName = "unshare"
 * ```
 */
export type SyscallName = keyof typeof syscalls

/** open(2) flags and `AT_FDCWD`. */
export const open = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_CLOEXEC: 0o2000000, O_PATH: 0o10000000,
  AT_FDCWD: -100, AT_REMOVEDIR: 0x200, AT_RECURSIVE: 0x8000
} as const

/** ptrace(2) requests: PTRACE_SEIZE attaches without stopping the tracee. */
export const ptraceRequests = { PTRACE_SEIZE: 0x4206 } as const

/** access(2) modes. */
export const accessMode = { F_OK: 0, X_OK: 1, W_OK: 2, R_OK: 4 } as const

/** clone/unshare namespace flags. */
export const cloneFlags = {
  CLONE_NEWTIME: 0x80, CLONE_NEWNS: 0x20000, CLONE_NEWCGROUP: 0x2000000, CLONE_NEWUTS: 0x4000000,
  CLONE_NEWIPC: 0x8000000, CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000, CLONE_NEWNET: 0x40000000
} as const

/** mount(2) and umount2(2) flags. */
export const mountFlags = {
  MS_RDONLY: 1, MS_NOSUID: 2, MS_NODEV: 4, MS_NOEXEC: 8, MS_REMOUNT: 32, MS_BIND: 4096, MS_REC: 16384,
  MS_MOVE: 8192, MS_PRIVATE: 0x40000, MS_SLAVE: 0x80000, MNT_DETACH: 2,
  /** mount_setattr(2)'s `struct mount_attr` {u64 attr_set, attr_clr, propagation, userns_fd} and its bits. */
  mountAttrSize: 32, MOUNT_ATTR_RDONLY: 0x1, MOUNT_ATTR_NOSUID: 0x2, MOUNT_ATTR_NODEV: 0x4, MOUNT_ATTR_NOEXEC: 0x8,
  /** open_tree(2) and move_mount(2): detach a copy of a mount, attach it elsewhere. */
  OPEN_TREE_CLONE: 1, MOVE_MOUNT_F_EMPTY_PATH: 4
} as const

/** prctl(2) options and arguments the identity and Landlock steps use. */
export const prctlOptions = {
  PR_SET_KEEPCAPS: 8, PR_CAPBSET_DROP: 24, PR_SET_SECUREBITS: 28, PR_SET_NO_NEW_PRIVS: 38, PR_GET_NO_NEW_PRIVS: 39,
  PR_CAP_AMBIENT: 47, PR_CAP_AMBIENT_CLEAR_ALL: 4
} as const

/** capset(2): `_LINUX_CAPABILITY_VERSION_3`, a header {u32 version, i32 pid} and two {u32 effective, permitted, inheritable}. */
export const capability = { version3: 0x20080522, headerSize: 8, dataSize: 24, CAP_SYS_ADMIN: 21, CAP_SYS_PTRACE: 19 } as const

/**
 * Sockets: `struct sockaddr_in` (u16 family, u16 port big-endian, u32 address big-endian, 8 zero bytes), and for
 * bringing `lo` up, SIOCGIFFLAGS/SIOCSIFFLAGS on a 40-byte `struct ifreq` (name[16], flags at 16).
 */
export const network = {
  AF_INET: 2, SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_RAW: 3, IPPROTO_ICMP: 1, INADDR_LOOPBACK: 0x7f000001, sockaddrInSize: 16, SOCK_CLOEXEC: 0o2000000, SIOCGIFFLAGS: 0x8913, SIOCSIFFLAGS: 0x8914, IFF_UP: 1,
  ifreqSize: 40, ifreqFlagsOffset: 16, ifNameSize: 16
} as const

/** `struct stat` on x86_64: 144 bytes, `st_mode` (u32) at offset 24. */
export const stat = { size: 144, modeOffset: 24, S_IFMT: 0o170000, S_IFDIR: 0o040000 } as const

/** io_uring_setup(2)'s parameter block: 120 bytes, all zero asks for defaults. */
export const ioUring = { paramsSize: 120 } as const

/** seccomp(2) operations the probe asks about. */
export const seccomp = { SECCOMP_GET_ACTION_AVAIL: 2, SECCOMP_RET_USER_NOTIF: 0x7fc00000 } as const

/**
 * Landlock's UAPI (linux/landlock.h): syscall flags, rule types, access
 * rights by the ABI that introduced them, and struct sizes.
 *
 * @example
 * ```ts
 * import { landlock } from "./x86_64.ts"
 *
 * landlock.fs.READ_FILE // 4n
 * ```
 */
export const landlock = {
  CREATE_RULESET_VERSION: 1,
  RULE_PATH_BENEATH: 1,
  RULE_NET_PORT: 2,
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
  /** `struct landlock_ruleset_attr` size by ABI: handled_access_fs (ABI 1), _net (ABI 4), scoped (ABI 6). */
  rulesetAttrSize: (abi: number): number => (abi >= 6 ? 24 : abi >= 4 ? 16 : 8),
  /** `struct landlock_path_beneath_attr`: u64 allowed_access, s32 parent_fd, packed. */
  pathBeneathSize: 12,
  /** `struct landlock_net_port_attr`: u64 allowed_access, u64 port. */
  netPortSize: 16
} as const

/**
 * The errno numbers the fences compare results with (asm-generic, as core/errno.ts).
 *
 * @example
 * ```ts
 * import { errnos } from "./x86_64.ts"
 *
 * errnos.EEXIST // 17
 * ```
 */
export const errnos = { EPERM: 1, ENOENT: 2, EACCES: 13, EBUSY: 16, EEXIST: 17, EINVAL: 22, ENOSPC: 28, ENOSYS: 38, EOPNOTSUPP: 95 } as const
