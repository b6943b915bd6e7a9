/**
 * How many bits of each argument the kernel reads, for the syscalls people
 * filter. seccomp hands the filter all 64 bits of every argument register, but
 * a syscall declared `int fd` only looks at the low 32 (`umode_t`: the low 16):
 * `socket(0x1_0000_0002, ...)` is AF_INET to the kernel while a 64-bit
 * `arg0 == 2` comparison misses it. Facts from the kernel's SYSCALL_DEFINE
 * signatures on x86_64 (the native ABI here; on i386 every argument is 32 bits
 * and its high half is zero, so narrow comparisons hold there too). Arguments
 * not listed are `long`, `unsigned long`, `size_t` or pointers: 64 bits.
 */

/**
 * Bits of an argument the kernel reads: 16 (`umode_t`), 32 (`int`, `unsigned
 * int`, `pid_t`, `uid_t`, ...) or 64.
 *
 * @example
 * ```ts
 * import type { ArgWidth } from "kakoi/seccomp"
 *
 * const width: ArgWidth = 32
 * ```
 */
export type ArgWidth = 16 | 32 | 64

// Widths of arguments 0, 1, ... up to the last narrow one; 64 = long/pointer.
const table: Readonly<Record<string, ReadonlyArray<ArgWidth>>> = {
  // sockets: int fd, int family/type/protocol, int/unsigned flags and lengths
  socket: [32, 32, 32],
  socketpair: [32, 32, 32],
  bind: [32, 64, 32],
  connect: [32, 64, 32],
  listen: [32, 32],
  accept: [32],
  accept4: [32, 64, 64, 32],
  getsockname: [32],
  getpeername: [32],
  sendto: [32, 64, 64, 32, 64, 32],
  recvfrom: [32, 64, 64, 32],
  sendmsg: [32, 64, 32],
  recvmsg: [32, 64, 32],
  sendmmsg: [32, 64, 32, 32],
  recvmmsg: [32, 64, 32, 32],
  shutdown: [32, 32],
  setsockopt: [32, 32, 32, 64, 32],
  getsockopt: [32, 32, 32],
  // files: int dfd, int flags, umode_t mode, unsigned dev
  open: [64, 32, 16],
  openat: [32, 64, 32, 16],
  openat2: [32],
  creat: [64, 16],
  open_by_handle_at: [32, 64, 32],
  name_to_handle_at: [32, 64, 64, 64, 32],
  mkdir: [64, 16],
  mkdirat: [32, 64, 16],
  mknod: [64, 16, 32],
  mknodat: [32, 64, 16, 32],
  chmod: [64, 16],
  fchmod: [32, 16],
  fchmodat: [32, 64, 16],
  fchmodat2: [32, 64, 16, 32],
  chown: [64, 32, 32],
  lchown: [64, 32, 32],
  fchown: [32, 32, 32],
  fchownat: [32, 64, 32, 32, 32],
  unlinkat: [32, 64, 32],
  renameat: [32, 64, 32],
  renameat2: [32, 64, 32, 64, 32],
  linkat: [32, 64, 32, 64, 32],
  symlinkat: [64, 32],
  access: [64, 32],
  faccessat: [32, 64, 32],
  faccessat2: [32, 64, 32, 32],
  newfstatat: [32, 64, 64, 32],
  statx: [32, 64, 32, 32],
  readlinkat: [32, 64, 64, 32],
  utimensat: [32, 64, 64, 32],
  execveat: [32, 64, 64, 64, 32],
  umask: [32],
  fchdir: [32],
  close: [32],
  dup: [32],
  dup2: [32, 32],
  dup3: [32, 32, 32],
  read: [32],
  write: [32],
  lseek: [32, 64, 32],
  ftruncate: [32],
  fallocate: [32, 32],
  flock: [32, 32],
  // unsigned int fd, unsigned int cmd, unsigned long arg
  ioctl: [32, 32],
  fcntl: [32, 32],
  pipe2: [64, 32],
  memfd_create: [64, 32],
  inotify_add_watch: [32, 64, 32],
  epoll_create1: [32],
  epoll_ctl: [32, 32, 32],
  eventfd2: [32, 32],
  timerfd_create: [32, 32],
  signalfd4: [32, 64, 64, 32],
  // every argument 64 bits (unsigned long flags, long request), listed so a stated 32 is caught
  mount: [],
  clone: [],
  clone3: [],
  unshare: [],
  mmap: [],
  mprotect: [],
  ptrace: [],
  truncate: [],
  execve: [],
  umount2: [64, 32],
  move_mount: [32, 64, 32, 64, 32],
  open_tree: [32, 64, 32],
  fsopen: [64, 32],
  mount_setattr: [32, 64, 32],
  // processes: int option, pid_t, int sig, uid_t/gid_t
  prctl: [32],
  personality: [32],
  kill: [32, 32],
  tkill: [32, 32],
  tgkill: [32, 32, 32],
  rt_sigqueueinfo: [32, 32],
  rt_tgsigqueueinfo: [32, 32, 32],
  pidfd_open: [32, 32],
  pidfd_send_signal: [32, 32, 64, 32],
  pidfd_getfd: [32, 32, 32],
  process_vm_readv: [32],
  process_vm_writev: [32],
  process_madvise: [32, 64, 64, 32, 32],
  kcmp: [32, 32, 32],
  setns: [32, 32],
  setuid: [32],
  setgid: [32],
  setreuid: [32, 32],
  setregid: [32, 32],
  setresuid: [32, 32, 32],
  setresgid: [32, 32, 32],
  setfsuid: [32],
  setfsgid: [32],
  setgroups: [32],
  setpgid: [32, 32],
  getpgid: [32],
  getsid: [32],
  wait4: [32, 64, 32],
  waitid: [32, 32, 64, 32],
  exit: [32],
  exit_group: [32],
  sched_setaffinity: [32, 32],
  sched_setscheduler: [32, 32],
  setpriority: [32, 32, 32],
  getpriority: [32, 32],
  ioprio_set: [32, 32, 32],
  getrlimit: [32],
  setrlimit: [32],
  prlimit64: [32, 32],
  rt_sigaction: [32],
  rt_sigprocmask: [32],
  futex: [64, 32, 32],
  madvise: [64, 64, 32],
  mlock2: [64, 64, 32],
  getrandom: [64, 64, 32],
  clock_gettime: [32],
  clock_settime: [32],
  clock_nanosleep: [32, 32],
  // kernel facilities: int cmd, unsigned int op/flags
  bpf: [32, 64, 32],
  seccomp: [32, 32],
  perf_event_open: [64, 32, 32, 32],
  keyctl: [32],
  reboot: [32, 32, 32],
  syslog: [32, 64, 32],
  quotactl: [32],
  userfaultfd: [32],
  memfd_secret: [32],
  fanotify_init: [32, 32],
  io_uring_setup: [32],
  io_uring_enter: [32, 32, 32, 32],
  io_uring_register: [32, 32, 64, 32]
}

/**
 * The bits the kernel reads of argument `index` of `syscall`; undefined when
 * the table has no entry for the syscall (the user may state a width).
 *
 * @example
 * ```ts
 * import { argWidth } from "kakoi/seccomp"
 *
 * argWidth("socket", 0) // 32
 * argWidth("openat", 3) // 16 (umode_t mode)
 * argWidth("clone", 0) // 64 (unsigned long flags)
 * argWidth("frobnicate", 0) // undefined
 * ```
 */
export const argWidth = (syscall: string, index: number): ArgWidth | undefined =>
  Object.hasOwn(table, syscall) ? (table[syscall]?.[index] ?? 64) : undefined
