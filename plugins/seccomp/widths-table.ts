/**
 * The widths of syscall arguments, as facts from the kernel's SYSCALL_DEFINE
 * signatures on x86_64 (see widths.ts for what they are for), and which of
 * them are signed process ids.
 */
import type { ArgWidth } from "./widths.ts"

/**
 * Widths of arguments 0, 1, ... of each syscall, up to the last narrow one;
 * the rest are 64 bits (long, unsigned long, size_t, pointers).
 *
 * @example
 * ```ts
 * widthTable["socket"] // [32, 32, 32]
 * ```
 */
export const widthTable: Readonly<Record<string, ReadonlyArray<ArgWidth>>> = {
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
  clone3: [],
  unshare: [],
  mmap: [],
  mprotect: [],
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
  io_uring_register: [32, 32, 64, 32],
  // clone(unsigned long flags, ...): kernel_clone reads lower_32_bits(clone_flags) (kernel/fork.c)
  clone: [32],
  // ptrace(long request, long pid): the pid becomes a pid_t (find_get_task_by_vpid)
  ptrace: [64, 32],
  // fds the kernel reads as unsigned int (fdget), though some are declared unsigned long
  close_range: [32, 32, 32],
  readv: [32], writev: [32], pread64: [32], pwrite64: [32], preadv: [32], pwritev: [32],
  preadv2: [32, 64, 64, 64, 64, 32], pwritev2: [32, 64, 64, 64, 64, 32],
  fstat: [32], fstatfs: [32], getdents: [32], getdents64: [32], fsync: [32], fdatasync: [32], syncfs: [32],
  readahead: [32], sync_file_range: [32, 64, 64, 32], fadvise64: [32, 64, 64, 32],
  sendfile: [32, 32], splice: [32, 64, 32, 64, 64, 32], tee: [32, 32, 64, 32], vmsplice: [32, 64, 64, 32],
  copy_file_range: [32, 64, 32, 64, 64, 32], cachestat: [32, 64, 64, 32],
  fsetxattr: [32, 64, 64, 64, 32], fgetxattr: [32], flistxattr: [32], fremovexattr: [32],
  setxattr: [64, 64, 64, 64, 32], lsetxattr: [64, 64, 64, 64, 32],
  setxattrat: [32, 64, 32], getxattrat: [32, 64, 32], listxattrat: [32, 64, 32], removexattrat: [32, 64, 32],
  file_getattr: [32, 64, 64, 64, 32], file_setattr: [32, 64, 64, 64, 32], open_tree_attr: [32, 64, 32],
  futimesat: [32], inotify_init1: [32], inotify_rm_watch: [32, 32], fanotify_mark: [32, 32, 64, 32],
  epoll_create: [32], epoll_wait: [32, 64, 32, 32], epoll_pwait: [32, 64, 32, 32], epoll_pwait2: [32, 64, 32],
  eventfd: [32], signalfd: [32], timerfd_settime: [32, 32], timerfd_gettime: [32],
  poll: [64, 32, 32], ppoll: [64, 32], select: [32], pselect6: [32],
  fsconfig: [32, 32, 64, 64, 32], fsmount: [32, 32, 32], fspick: [32, 64, 32], quotactl_fd: [32, 32, 32],
  statmount: [64, 64, 64, 32], listmount: [64, 64, 64, 32],
  // memory: int flags, int pkey
  msync: [64, 64, 32], mlockall: [32], pkey_mprotect: [64, 64, 64, 32], pkey_free: [32], map_shadow_stack: [64, 64, 32],
  mbind: [64, 64, 64, 64, 64, 32], set_mempolicy: [32], migrate_pages: [32], move_pages: [32, 64, 64, 64, 64, 32],
  membarrier: [32, 32, 32], rseq: [64, 32, 32, 32],
  // futexes: unsigned int flags, int counts, clockid_t
  futex_waitv: [64, 32, 32, 64, 32], futex_wake: [64, 64, 32, 32], futex_wait: [64, 64, 64, 32, 64, 32], futex_requeue: [64, 32, 32, 32],
  // processes and scheduling: pid_t, int policy/which, unsigned int flags
  sched_setattr: [32, 64, 32], sched_getattr: [32, 64, 32, 32], sched_getaffinity: [32, 32], sched_getscheduler: [32],
  sched_setparam: [32], sched_getparam: [32], sched_get_priority_max: [32], sched_get_priority_min: [32], sched_rr_get_interval: [32],
  ioprio_get: [32, 32], get_robust_list: [32], process_mrelease: [32, 32], alarm: [32], getitimer: [32], setitimer: [32],
  timer_create: [32], timer_settime: [32, 32], timer_gettime: [32], timer_getoverrun: [32], timer_delete: [32], clock_getres: [32], clock_adjtime: [32],
  // System V IPC and message queues: int ids, cmds and flags, key_t
  shmget: [32, 64, 32], shmat: [32, 64, 32], shmctl: [32, 32], semget: [32, 32, 32], semop: [32, 64, 32], semctl: [32, 32, 32],
  semtimedop: [32, 64, 32], msgget: [32, 32], msgsnd: [32, 64, 64, 32], msgrcv: [32, 64, 64, 64, 32], msgctl: [32, 32],
  mq_open: [64, 32, 16], mq_timedsend: [32, 64, 64, 32], mq_timedreceive: [32], mq_notify: [32], mq_getsetattr: [32],
  // modules, keys, Landlock, LSM, misc: int fds and flags, key_serial_t
  finit_module: [32, 64, 32], delete_module: [64, 32], kexec_file_load: [32, 32], add_key: [64, 64, 64, 64, 32], request_key: [64, 64, 64, 32],
  landlock_create_ruleset: [64, 64, 32], landlock_add_rule: [32, 32, 64, 32], landlock_restrict_self: [32, 32],
  lsm_get_self_attr: [32, 64, 64, 32], lsm_set_self_attr: [32, 64, 64, 32], lsm_list_modules: [64, 64, 32],
  sethostname: [64, 32], setdomainname: [64, 32], iopl: [32], ioperm: [64, 64, 32], sysfs: [32], ustat: [32]
}

/**
 * Arguments that are a `pid_t` (signed: kill(-1) signals every process,
 * a negative pid a process group), by syscall: ordering comparisons on them
 * are signed.
 *
 * @example
 * ```ts
 * signedTable["kill"] // [0]
 * ```
 */
export const signedTable: Readonly<Record<string, ReadonlyArray<number>>> = {
  kill: [0], tkill: [0], tgkill: [0, 1], rt_sigqueueinfo: [0], rt_tgsigqueueinfo: [0, 1], pidfd_open: [0],
  wait4: [0], setpgid: [0, 1], getpgid: [0], getsid: [0], prlimit64: [0], ptrace: [1], process_vm_readv: [0],
  process_vm_writev: [0], kcmp: [0, 1], sched_setaffinity: [0], sched_getaffinity: [0],
  sched_setscheduler: [0], sched_getscheduler: [0], sched_setparam: [0], sched_getparam: [0], sched_setattr: [0],
  sched_getattr: [0], sched_rr_get_interval: [0], get_robust_list: [0], migrate_pages: [0], move_pages: [0]
}
