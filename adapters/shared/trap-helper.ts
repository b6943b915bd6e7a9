/**
 * The helper process of in-process traps (plugins/seccomp/notify/in-process.ts):
 * a separate process, never a thread of the trapped program, because every
 * thread there carries the filter (TSYNC) and could block on its own notified
 * call. It takes the program's listener with pidfd_getfd, answers every
 * notification at once with the fixed errno (so the caller never waits on
 * anything in its own process), then writes one JSON line per call on stdout.
 *
 * Protocol on stdout: `R` (ready: it may take the parent's fds), `E <errno>`
 * (it may not; it exits), `T` (listener taken), then reports `{pid,nr,arch,ip,args}`
 * and `{"dropped":n}` when the parent read too slowly. The report pipe is
 * non-blocking: a program that stops reading loses reports, never progress.
 * argv: <node|deno|bun> <parent pid> <errno>.
 */
import { readdirSync, readlinkSync } from "node:fs"
import { constants, errno as errnos, signals } from "../../core/arch/generic.ts"
import { archTable } from "../../core/arch/mod.ts"
import type { Libc } from "../../core/libc.ts"
import { siblingModule } from "../../core/sibling.ts"
import { listenerLink, listenerSystem } from "../../plugins/seccomp/notify/system.ts"
import { decodeNotification, encodeResponse, notifRespSize, type RawNotification } from "../../plugins/seccomp/notify/struct.ts"

const [, , runtime = "node", parentText = "0", errnoText = "1"] = process.argv
const parent = Number(parentText)
const errno = Number(errnoText)
// Built into dist/ this file is .js, and so are the adapters (a computed import is not rewritten).
const bindings = (await import(siblingModule(`../${runtime}/native`, import.meta.url))) as Record<string, () => Libc>
const libc = (bindings[`${runtime}Libc`] ?? bindings.nodeLibc)!()
const c = libc.call
const system = listenerSystem(libc, () => Promise.resolve(-1))

// poll(2) has no number on aarch64 (only ppoll): this helper's raw poll is x86_64's until it moves to ppoll.
const SYS_poll = 7
const { close_range: SYS_close_range } = archTable().syscalls
const { PR_SET_PDEATHSIG, F_SETFL, O_NONBLOCK, POLLIN, POLLOUT, POLLERR, POLLHUP } = constants
const { SIGKILL } = signals
const { ENOENT } = errnos
/** Unsent report bytes beyond this are dropped (and counted) rather than stall the helper. */
const backlogLimit = 1 << 20
const takeoverMs = 10_000

const encoder = new TextEncoder()
let backlog = new Uint8Array(0)
let dropped = 0

/** Appends a line to the backlog and writes as much as the pipe takes now. */
const say = (line: string): void => {
  const bytes = encoder.encode(`${line}\n`)
  if (backlog.length + bytes.length > backlogLimit) {
    dropped++
    return
  }
  const grown = new Uint8Array(backlog.length + bytes.length)
  grown.set(backlog)
  grown.set(bytes, backlog.length)
  backlog = grown
  flush()
}

const flush = (): void => {
  if (dropped > 0 && backlog.length < backlogLimit / 2) {
    const count = dropped
    dropped = 0
    say(JSON.stringify({ dropped: count }))
    return
  }
  while (backlog.length > 0) {
    const written = Number(c.write(1, backlog, backlog.length))
    if (written <= 0) return
    backlog = backlog.slice(written)
  }
}

const parentFds = (): ReadonlyArray<number> => {
  try {
    return readdirSync(`/proc/${parent}/fd`).map(Number)
  } catch {
    return []
  }
}
const listenersOfParent = (): ReadonlyArray<number> =>
  parentFds().filter((fd) => {
    try {
      return readlinkSync(`/proc/${parent}/fd/${fd}`) === listenerLink
    } catch {
      return false
    }
  })

// Die with the program: nothing else would end a helper whose parent is gone.
c.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)
if (Number(c.getppid()) !== parent) process.exit(1)
const pidfd = system.pidfdOpen(parent)
if (pidfd < 0) {
  say(`E ${-pidfd}`)
  process.exit(1)
}
// Prove now, before any filter exists, that pidfd_getfd on the parent is allowed.
const probe = system.pidfdGetfd(pidfd, parentFds()[0] ?? 0)
if (probe < 0) {
  say(`E ${-probe}`)
  process.exit(1)
}
system.close(probe)
// Listeners the parent already holds (its supervised children's) are not ours.
const before = new Set(listenersOfParent())
say("R")

/** The new listener in the parent, copied here; scanned for because the parent may make no call to tell us. */
const takeListener = async (): Promise<{ readonly copy: number; readonly fd: number }> => {
  const deadline = Date.now() + takeoverMs
  while (Date.now() < deadline) {
    for (const fd of listenersOfParent()) {
      if (before.has(fd)) continue
      const copy = system.pidfdGetfd(pidfd, fd)
      if (copy >= 0 && system.fdTarget(copy) === listenerLink) return { copy, fd }
      if (copy >= 0) system.close(copy)
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return process.exit(1)
}

const { copy: listener, fd: parentListener } = await takeListener()
system.close(pidfd)
say("T")
c.fcntl(1, F_SETFL, O_NONBLOCK)

const response = new Uint8Array(notifRespSize)
let handoffPending = true
/** The parent's close_range(listener, listener) after `T`: let it run (once), else the parent keeps the listener alive. */
const isHandoff = (call: RawNotification): boolean =>
  handoffPending && call.pid === parent && call.syscall === SYS_close_range &&
  call.args[0] === BigInt(parentListener) && call.args[1] === BigInt(parentListener)

const serve = (): void => {
  const received = system.receive(listener)
  if (typeof received === "number") {
    if (received !== -ENOENT) process.exit(0)
    return
  }
  const call = decodeNotification(received)
  const handoff = isHandoff(call)
  if (handoff) handoffPending = false
  encodeResponse(response, call.id, handoff ? { kind: "continue" } : { kind: "fail", errno })
  // Answer first: the caller is released before we spend anything on the report.
  system.send(listener, response)
  if (!handoff) {
    say(JSON.stringify({ pid: call.pid, nr: call.syscall, arch: call.arch, ip: String(call.instructionPointer), args: call.args.map(String) }))
  }
}

// A dedicated process may block: one synchronous poll over the listener and (when there is backlog) the pipe.
const pollfds = system.arena(16)
const view = new DataView(pollfds.bytes.buffer)
for (;;) {
  view.setInt32(0, listener, true)
  view.setInt16(4, POLLIN, true)
  view.setInt16(6, 0, true)
  view.setInt32(8, 1, true)
  view.setInt16(12, backlog.length > 0 ? POLLOUT : 0, true)
  view.setInt16(14, 0, true)
  if (Number(c.syscall(SYS_poll, pollfds.address, 2, -1, 0, 0)) <= 0) continue
  const listenerEvents = view.getInt16(6, true)
  const pipeEvents = view.getInt16(14, true)
  if ((pipeEvents & (POLLERR | POLLHUP)) !== 0) process.exit(0)
  if ((pipeEvents & POLLOUT) !== 0) flush()
  if ((listenerEvents & POLLIN) !== 0) serve()
  else if ((listenerEvents & (POLLHUP | POLLERR)) !== 0) process.exit(0)
}
