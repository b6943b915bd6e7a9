/**
 * The listener system: the kernel calls the notify plumbing makes in the
 * supervisor, written once over an adapter's `Libc` (raw syscalls through
 * libc's `syscall`, memory in never-moving arenas), plus the one thing each
 * runtime does its own way: a blocking `poll` on another thread (koffi
 * `.async` on Node, a `nonblocking` symbol on Deno, a Worker on Bun).
 */
import { Context } from "effect"
import { constants, seccompIoctl } from "../../../core/arch/generic.ts"
import { archTable } from "../../../core/arch/mod.ts"
import { checked, cString, type Libc } from "../../../core/libc.ts"
import { pollSystem, type PollOffThread, type PollSystem } from "../../../core/poll.ts"
import { supervisorCalls, type SupervisorCalls } from "./calls.ts"
import { notifRespSize, notifSize } from "./struct.ts"

/** What a seccomp listener's /proc/<pid>/fd/N link reads: how a fetched fd is recognised. */
export const listenerLink = "anon_inode:seccomp notify"

export type { PollOffThread }

/**
 * What the notify loop needs from the kernel. Calls return -errno on failure.
 *
 * @example
 * ```ts
 * declare const system: ListenerSystem
 * const pidfd = system.pidfdOpen(1234)
 * ```
 */
export interface ListenerSystem extends PollSystem {
  readonly pidfdOpen: (pid: number) => number
  /** pidfd_getfd(2): a close-on-exec copy of the process's fd `fd`. */
  readonly pidfdGetfd: (pidfd: number, fd: number) => number
  /** What /proc/self/fd/N links to, e.g. "anon_inode:seccomp notify"; -errno on failure. */
  readonly fdTarget: (fd: number) => string | number
  readonly close: (fd: number) => void
  /** pidfd_send_signal(2): `signal` to the process the pidfd refers to, never to a pid's later owner. */
  readonly pidfdSignal: (pidfd: number, signal: number) => number
  /** SECCOMP_IOCTL_NOTIF_RECV into a zeroed 80-byte buffer (the kernel refuses a dirty one). */
  readonly receive: (listener: number) => Uint8Array | number
  /** SECCOMP_IOCTL_NOTIF_SEND of a 24-byte seccomp_notif_resp. */
  readonly send: (listener: number, response: Uint8Array) => number
  /** SECCOMP_IOCTL_NOTIF_ID_VALID: 0 while the call still waits, -ENOENT once the child gave up on it. */
  readonly idValid: (listener: number, id: bigint) => number
  /**
   * process_vm_readv(2): up to `length` bytes of process `pid`'s memory at
   * `address`. Fewer when an unmapped page cuts the range short; -errno when
   * not even the first byte could be read (EFAULT, ESRCH, EPERM). The pid may
   * have died and been reused since: callers re-check their notification id.
   */
  readonly readMemory: (pid: number, address: bigint, length: number) => Uint8Array | number
  /** What handlers ask the supervisor to do in the child's stead (resolve paths, mkdir, inject fds). */
  readonly calls: SupervisorCalls
}

const pageSize = constants.PAGE_SIZE

/** [address, length] pieces of a range, none crossing a page boundary. */
const remotePages = (address: bigint, length: number): Array<readonly [bigint, number]> => {
  const pieces: Array<readonly [bigint, number]> = []
  for (let at = address, left = length; left > 0;) {
    const size = Math.min(left, pageSize - Number(at % BigInt(pageSize)))
    pieces.push([at, size])
    at += BigInt(size)
    left -= size
  }
  return pieces
}

/**
 * The listener system over one runtime's libc and its off-thread poll.
 *
 * @example
 * ```ts
 * import { nodeLibc } from "../../../adapters/node/native.ts"
 * declare const poll: PollOffThread
 * const system = listenerSystem(nodeLibc(), poll)
 * ```
 */
export const listenerSystem = (libc: Libc, poll: PollOffThread): ListenerSystem => {
  const c = libc.call
  const { ioctl, readlinkat, pidfd_open, pidfd_getfd, pidfd_send_signal } = archTable().syscalls
  const { NOTIF_RECV, NOTIF_SEND, NOTIF_ID_VALID } = seccompIoctl
  const ok = (result: number | bigint): number => checked(result, libc.errno)
  const polling = pollSystem(libc, poll)
  const { arena } = polling
  // One of each, reused: RECV and SEND run on the main thread, one at a time.
  const notif = arena(notifSize)
  const response = arena(notifRespSize)
  const id = arena(8)
  const link = arena(256)
  return {
    ...polling,
    pidfdOpen: (pid) => ok(c.syscall(pidfd_open, pid, 0, 0, 0, 0)),
    pidfdGetfd: (pidfd, fd) => ok(c.syscall(pidfd_getfd, pidfd, fd, 0, 0, 0)),
    fdTarget: (fd) => {
      const path = arena(64)
      path.bytes.set(cString(`/proc/self/fd/${fd}`))
      const length = ok(c.syscall(readlinkat, constants.AT_FDCWD, path.address, link.address, link.bytes.byteLength, 0))
      return length < 0 ? length : new TextDecoder().decode(link.bytes.subarray(0, length))
    },
    close: (fd) => void c.close(fd),
    pidfdSignal: (pidfd, signal) => ok(c.syscall(pidfd_send_signal, pidfd, signal, 0, 0, 0)),
    receive: (listener) => {
      notif.bytes.fill(0)
      const result = ok(c.syscall(ioctl, listener, NOTIF_RECV, notif.address, 0, 0))
      return result < 0 ? result : notif.bytes.slice(0, notifSize)
    },
    send: (listener, bytes) => {
      response.bytes.set(bytes.subarray(0, notifRespSize))
      return ok(c.syscall(ioctl, listener, NOTIF_SEND, response.address, 0, 0))
    },
    idValid: (listener, value) => {
      new DataView(id.bytes.buffer).setBigUint64(0, value, true)
      return ok(c.syscall(ioctl, listener, NOTIF_ID_VALID, id.address, 0, 0))
    },
    readMemory: (pid, address, length) => {
      // One remote iovec per page: the kernel stops at the first unreadable iovec but keeps what came before,
      // so a string that ends just before an unmapped page is still read.
      const pages = remotePages(address, length)
      const iovecs = arena(16 * (pages.length + 1))
      const into = arena(length)
      const view = new DataView(iovecs.bytes.buffer)
      view.setBigUint64(0, into.address, true)
      view.setBigUint64(8, BigInt(length), true)
      pages.forEach(([base, size], index) => {
        view.setBigUint64(16 * (index + 1), base, true)
        view.setBigUint64(16 * (index + 1) + 8, BigInt(size), true)
      })
      const remote = iovecs.address + 16n
      const read = ok(c.process_vm_readv(pid, iovecs.address, 1, remote, pages.length, 0))
      return read < 0 ? read : into.bytes.slice(0, read)
    },
    calls: supervisorCalls(libc)
  }
}

// The named base gives the exported class a declared type under isolatedDeclarations.
const ListenerSystemServiceBase: Context.ServiceClass<ListenerSystemService, "kakoi/seccomp/ListenerSystem", ListenerSystem> =
  Context.Service<ListenerSystemService, ListenerSystem>()("kakoi/seccomp/ListenerSystem")
/**
 * The listener system as an Effect service. Adapters that support notify
 * provide it in their layer; the seccomp plugin asks for it only when a
 * policy notifies, and fails with a typed error where it is missing.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { ListenerSystemService } from "kakoi/seccomp"
 *
 * const program = Effect.gen(function*() {
 *   const system = yield* ListenerSystemService
 *   return system.pidfdOpen(1) // a pidfd for init, or -errno
 * })
 * const pidfd = await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export class ListenerSystemService extends ListenerSystemServiceBase {}
