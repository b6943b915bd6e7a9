/**
 * A fake ListenerSystem for unit tests of the notify loop and session: the
 * kernel's side is scripted (what poll reports, what RECV returns, what SEND
 * and ADDFD answer) and every call the code makes is recorded.
 */
import type { SupervisorCalls } from "../../plugins/seccomp/notify/calls.ts"
import { notifSize, type RawNotification } from "../../plugins/seccomp/notify/struct.ts"
import type { ListenerSystem } from "../../plugins/seccomp/notify/system.ts"

/** What the code sent back: a decoded struct seccomp_notif_resp. */
export interface Sent {
  readonly listener: number
  readonly id: bigint
  readonly value: bigint
  readonly error: number
  readonly flags: number
}

export interface FakeListener {
  readonly system: ListenerSystem
  /** Make `fd` readable (POLLIN) with these notifications queued, or report other poll events (POLLHUP = 0x10). */
  readonly ready: (fd: number, events?: number) => void
  /** Queue what the next RECV on `fd` returns: a notification, or -errno. */
  readonly queue: (fd: number, received: RawNotification | number) => void
  /** Call ids the kernel still holds (ID_VALID answers 0 for them). */
  readonly pending: Set<bigint>
  readonly sent: Array<Sent>
  readonly closed: Array<number>
  /** [pid, signal] of each signal sent through a pidfd. */
  readonly killed: Array<readonly [number, number]>
  readonly added: Array<{ readonly listener: number; readonly id: bigint; readonly fd: number; readonly closeOnExec: boolean }>
  /** How many times poll was entered. */
  readonly polls: () => number
  /** What SEND returns (default 0); e.g. -2 (ENOENT) for a child that went away. */
  sendResult: number
  /** What ADDFD returns (default: the child's next fd, 3). */
  addFdResult: number
  /** The child's memory for readMemory: bytes at an address. */
  readonly memory: Map<bigint, Uint8Array>
  /** Handler-side calls: fds handed out by openat/openat2, and what they link to. */
  readonly links: Map<number, string>
}

const wakeFd = 99

/** A notification for `fake.queue`. */
export const rawNotification = (id: bigint, fields: Partial<RawNotification> = {}): RawNotification => ({
  id,
  pid: 4242,
  syscall: 110,
  arch: 0xc000003e,
  instructionPointer: 0x401000n,
  args: [0n, 0n, 0n, 0n, 0n, 0n],
  ...fields
})

const encode = (n: RawNotification): Uint8Array => {
  const bytes = new Uint8Array(notifSize)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, n.id, true)
  view.setUint32(8, n.pid, true)
  view.setInt32(16, n.syscall, true)
  view.setUint32(20, n.arch, true)
  view.setBigUint64(24, n.instructionPointer, true)
  n.args.forEach((arg, index) => view.setBigUint64(32 + 8 * index, arg, true))
  return bytes
}

/** A fresh fake. */
export const fakeListener = (): FakeListener => {
  const arenas = new Map<bigint, Uint8Array>()
  let nextAddress = 0x1000n
  const events = new Map<number, number>()
  const received = new Map<number, Array<RawNotification | number>>()
  let wakePending = false
  let polls = 0
  let nextFd = 500
  // The pid each pidfd was opened for.
  const pidfds = new Map<number, number>()
  let release: (() => void) | undefined
  const kick = (): void => {
    release?.()
    release = undefined
  }
  const fake: Omit<FakeListener, "system"> = {
    ready: (fd, mask = 0x1) => {
      events.set(fd, mask)
      kick()
    },
    queue: (fd, value) => {
      received.set(fd, [...(received.get(fd) ?? []), value])
    },
    pending: new Set(),
    sent: [],
    closed: [],
    killed: [],
    added: [],
    polls: () => polls,
    sendResult: 0,
    addFdResult: 3,
    memory: new Map(),
    links: new Map()
  }
  const calls: SupervisorCalls = {
    // The child has no fd 77 open.
    openat: (_dirfd, path) => (path.endsWith("/fd/77") ? -2 : nextFd++),
    openat2: (_dirfd, path) => (path.includes("missing") ? -2 : nextFd++),
    mkdirat: () => 0,
    readlinkat: () => -22,
    filesystemType: (fd) => (fake.links.get(fd)?.startsWith("/proc/") ? 0x9fa0n : 0xef53n),
    read: () => new TextEncoder().encode("Name:\tprobe\nUmask:\t0022\n"),
    addFd: (listener, id, fd, closeOnExec) => (fake.added.push({ listener, id, fd, closeOnExec }), fake.addFdResult)
  }
  const system: ListenerSystem = {
    pidfdOpen: (pid) => {
      const fd = nextFd++
      pidfds.set(fd, pid)
      return fd
    },
    pidfdGetfd: () => -38,
    fdTarget: (fd) => fake.links.get(fd) ?? "/tmp/dir",
    close: (fd) => void fake.closed.push(fd),
    pidfdSignal: (pidfd, signal) => (fake.killed.push([pidfds.get(pidfd) ?? -1, signal]), 0),
    eventfd: () => wakeFd,
    wake: () => {
      wakePending = true
      kick()
    },
    drain: () => {
      wakePending = false
    },
    receive: (fd) => {
      const queue = received.get(fd) ?? []
      const next = queue.shift()
      if (queue.length === 0) events.delete(fd)
      if (next === undefined) return -11
      return typeof next === "number" ? next : encode(next)
    },
    send: (listener, bytes) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, 24)
      fake.sent.push({ listener, id: view.getBigUint64(0, true), value: view.getBigInt64(8, true), error: view.getInt32(16, true), flags: view.getUint32(20, true) })
      return fake.sendResult
    },
    idValid: (_listener, id) => (fake.pending.has(id) ? 0 : -2),
    readMemory: (_pid, address, length) => {
      for (const [base, bytes] of fake.memory) {
        if (address >= base && address < base + BigInt(bytes.length)) return bytes.slice(Number(address - base), Number(address - base) + length)
      }
      return -14
    },
    arena: (size) => {
      const bytes = new Uint8Array(size)
      const address = nextAddress
      nextAddress += BigInt(size) + 0x100n
      arenas.set(address, bytes)
      return { bytes, address }
    },
    // Waits until something is ready (or a wake), then writes revents like poll(2) does.
    poll: async (address, count) => {
      polls++
      const bytes = arenas.get(address)
      if (bytes === undefined) return -1
      const view = new DataView(bytes.buffer)
      const fds = Array.from({ length: count }, (_, index) => view.getInt32(8 * index, true))
      while (!wakePending && !fds.some((fd) => events.has(fd))) await new Promise<void>((resolve) => (release = resolve))
      let ready = 0
      fds.forEach((fd, index) => {
        const revents = fd === wakeFd ? (wakePending ? 0x1 : 0) : events.get(fd) ?? 0
        view.setInt16(8 * index + 6, revents, true)
        if (revents !== 0) ready++
        // Hang-ups and errors are reported once; readable stays while RECV has more.
        if ((revents & 0x1) === 0) events.delete(fd)
      })
      return ready
    },
    calls
  }
  // The same object, so what a test sets (sendResult, ...) is what the fake reads.
  return Object.assign(fake, { system })
}
