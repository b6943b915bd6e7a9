/**
 * Syscall families: the calls that do one thing, as the kernel's x86_64
 * syscall table has them (6.18's: calls newer than libseccomp's tables, such
 * as setxattrat, go in by number, see newer-syscalls.ts). Denying `mkdir` alone leaves `mkdirat` working;
 * naming `family:mkdir` denies both. The `family:` prefix cannot collide with
 * a syscall: syscall names are letters, digits and underscores, never a colon,
 * so a family can never silently stand for (or shadow) a real call of the
 * same name, unlike a bare `mkdir` would.
 */

/**
 * The prefix that marks a family where a syscall name goes.
 *
 * @example
 * ```ts
 * import { familyPrefix } from "./families.ts"
 *
 * `${familyPrefix}open` // "family:open"
 * ```
 */
export const familyPrefix = "family:"

const table: Readonly<Record<string, ReadonlyArray<string>>> = {
  mkdir: ["mkdir", "mkdirat"],
  // open_by_handle_at opens a file from a handle name_to_handle_at gives (no path check: Docker's "shocker").
  open: ["open", "openat", "openat2", "creat", "open_by_handle_at"],
  unlink: ["unlink", "unlinkat"],
  rmdir: ["rmdir", "unlinkat"],
  rename: ["rename", "renameat", "renameat2"],
  chmod: ["chmod", "fchmod", "fchmodat", "fchmodat2"],
  chown: ["chown", "fchown", "lchown", "fchownat"],
  link: ["link", "linkat"],
  symlink: ["symlink", "symlinkat"],
  mknod: ["mknod", "mknodat"],
  stat: ["stat", "lstat", "fstat", "newfstatat", "statx"],
  access: ["access", "faccessat", "faccessat2"],
  readlink: ["readlink", "readlinkat"],
  truncate: ["truncate", "ftruncate"],
  utime: ["utime", "utimes", "futimesat", "utimensat"],
  exec: ["execve", "execveat"],
  fork: ["fork", "vfork", "clone", "clone3"],
  kill: ["kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo"],
  socket: ["socket", "socketpair"],
  accept: ["accept", "accept4"],
  send: ["sendto", "sendmsg", "sendmmsg"],
  recv: ["recvfrom", "recvmsg", "recvmmsg"],
  read: ["read", "readv", "pread64", "preadv", "preadv2"],
  write: ["write", "writev", "pwrite64", "pwritev", "pwritev2"],
  dup: ["dup", "dup2", "dup3"],
  pipe: ["pipe", "pipe2"],
  wait: ["wait4", "waitid"],
  mount: ["mount", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "open_tree_attr"],
  setuid: ["setuid", "setreuid", "setresuid", "setfsuid"],
  setgid: ["setgid", "setregid", "setresgid", "setfsgid", "setgroups"],
  xattr: ["setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr", "lremovexattr", "fremovexattr", "removexattrat"],
  io_uring: ["io_uring_setup", "io_uring_enter", "io_uring_register"]
}

/**
 * Every family name (without the prefix), for messages and suggestions.
 *
 * @example
 * ```ts
 * import { familyNames } from "kakoi/seccomp"
 *
 * familyNames.includes("open") // true
 * ```
 */
export const familyNames: ReadonlyArray<string> = Object.keys(table)

/**
 * The members of a family, by its name without the prefix; undefined when unknown.
 *
 * @example
 * ```ts
 * import { familyMembers } from "kakoi/seccomp"
 *
 * familyMembers("mkdir") // ["mkdir", "mkdirat"]
 * ```
 */
export const familyMembers = (name: string): ReadonlyArray<string> | undefined => (Object.hasOwn(table, name) ? table[name] : undefined)

/**
 * The families a syscall belongs to, for the "denies one member, allows another" warning.
 *
 * @example
 * ```ts
 * import { familiesOf } from "./families.ts"
 *
 * familiesOf("unlinkat") // ["unlink", "rmdir"]
 * ```
 */
export const familiesOf = (syscall: string): ReadonlyArray<string> => familyNames.filter((name) => table[name]?.includes(syscall) === true)
