/**
 * The calls the supervisor makes on a notified child's behalf, so that a
 * handler acts on what it read instead of letting the kernel re-read the
 * child's memory (the TOCTOU hole of CONTINUE): path resolution (openat2 with
 * RESOLVE_*), mkdirat, and SECCOMP_IOCTL_NOTIF_ADDFD, which installs a
 * supervisor's fd in the child as the call's result. Written once over an
 * adapter's `Libc`; every call returns -errno on failure, like the kernel.
 * The numbers come from this machine's arch table (core/arch).
 */
import { constants, seccompIoctl, structs } from "../../../core/arch/generic.ts"
import { archTable } from "../../../core/arch/mod.ts"
import { checked, cString, type Libc } from "../../../core/libc.ts"

const { O_CLOEXEC, PATH_MAX, SECCOMP_ADDFD_FLAG_SEND } = constants
const { openHow, seccompNotifAddfd: addfd, statfs } = structs

/**
 * What the supervisor can do for a notified call. `dirfd` may be AT_FDCWD
 * (the supervisor's own cwd, never the child's: callers pass absolute paths
 * or fds they opened).
 *
 * @example
 * ```ts
 * declare const calls: SupervisorCalls
 * const fd = calls.openat2(-100, "/tmp", 0x200000 | 0x10000, 0, 0) // O_PATH | O_DIRECTORY
 * ```
 */
export interface SupervisorCalls {
  /** openat2(2) with `struct open_how { flags, mode, resolve }`; a close-on-exec fd or -errno. */
  readonly openat2: (dirfd: number, path: string, flags: number, mode: number, resolve: number) => number
  /** openat(2): unlike openat2 it follows the magic links /proc/<pid>/{root,cwd,fd/N}, which is how the child's are reached. */
  readonly openat: (dirfd: number, path: string, flags: number) => number
  /** mkdirat(2): 0 or -errno. */
  readonly mkdirat: (dirfd: number, name: string, mode: number) => number
  /** readlinkat(2) of `name` in `dirfd`: the link's text, or -errno (EINVAL: not a symlink). */
  readonly readlinkat: (dirfd: number, name: string) => string | number
  /** fstatfs(2)'s f_type: the filesystem's magic number, or -errno. */
  readonly filesystemType: (fd: number) => bigint | number
  /** Up to `max` bytes read from `fd` (one read), or -errno. */
  readonly read: (fd: number, max: number) => Uint8Array | number
  /**
   * SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND: `fd` is installed
   * in the caller of notification `id` and the call returns its number there.
   * That number, or -errno (ENOENT: the call is gone; anything else leaves the
   * call pending, to be answered).
   */
  readonly addFd: (listener: number, id: bigint, fd: number, closeOnExec: boolean) => number
}

/**
 * The supervisor calls over one runtime's libc.
 *
 * @example
 * ```ts
 * import type { Libc } from "../../../core/libc.ts"
 *
 * declare const libc: Libc
 * const calls = supervisorCalls(libc)
 * ```
 */
export const supervisorCalls = (libc: Libc): SupervisorCalls => {
  const c = libc.call
  const { read, ioctl, fstatfs, openat, mkdirat, readlinkat, openat2 } = archTable().syscalls
  const ok = (result: number | bigint): number => checked(result, libc.errno)
  // Fresh buffers per call (handlers may be async, several in flight); `new ArrayBuffer` memory never moves.
  const arena = (size: number) => {
    const bytes = new Uint8Array(new ArrayBuffer(Math.max(8, size)))
    return { bytes, view: new DataView(bytes.buffer), address: libc.address(bytes) }
  }
  const text = (value: string) => {
    const encoded = cString(value)
    const buffer = arena(encoded.byteLength)
    buffer.bytes.set(encoded)
    return buffer
  }
  return {
    openat2: (dirfd, path, flags, mode, resolve) => {
      const how = arena(openHow.size)
      how.view.setBigUint64(openHow.flags, BigInt(flags | O_CLOEXEC), true)
      how.view.setBigUint64(openHow.mode, BigInt(mode), true)
      how.view.setBigUint64(openHow.resolve, BigInt(resolve), true)
      return ok(c.syscall(openat2, dirfd, text(path).address, how.address, openHow.size, 0))
    },
    openat: (dirfd, path, flags) => ok(c.syscall(openat, dirfd, text(path).address, flags | O_CLOEXEC, 0, 0)),
    mkdirat: (dirfd, name, mode) => ok(c.syscall(mkdirat, dirfd, text(name).address, mode, 0, 0)),
    readlinkat: (dirfd, name) => {
      const into = arena(PATH_MAX)
      const length = ok(c.syscall(readlinkat, dirfd, text(name).address, into.address, PATH_MAX, 0))
      return length < 0 ? length : new TextDecoder().decode(into.bytes.subarray(0, length))
    },
    filesystemType: (fd) => {
      const into = arena(statfs.size)
      const result = ok(c.syscall(fstatfs, fd, into.address, 0, 0, 0))
      return result < 0 ? result : into.view.getBigInt64(statfs.type, true)
    },
    read: (fd, max) => {
      const into = arena(max)
      const length = ok(c.syscall(read, fd, into.address, max, 0, 0))
      return length < 0 ? length : into.bytes.slice(0, length)
    },
    addFd: (listener, id, fd, closeOnExec) => {
      const request = arena(addfd.size)
      request.view.setBigUint64(addfd.id, id, true)
      request.view.setUint32(addfd.flags, SECCOMP_ADDFD_FLAG_SEND, true)
      request.view.setUint32(addfd.srcfd, fd, true)
      request.view.setUint32(addfd.newfdFlags, closeOnExec ? O_CLOEXEC : 0, true)
      return ok(c.syscall(ioctl, listener, seccompIoctl.NOTIF_ADDFD, request.address, 0, 0))
    }
  }
}
