/**
 * One child's notify session over fake ports (a fake ListenerSystem and a
 * loop that hands the test its client): what is sent for each answer, in
 * which order, and what happens to late answers, fds and closed listeners.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { arg, policy, type Policy } from "../../plugins/seccomp/mod.ts"
import { answer, type Notification, type NotifyHandler } from "../../plugins/seccomp/notify/handler.ts"
import type { ListenerClient, ListenerLoop } from "../../plugins/seccomp/notify/loop.ts"
import { readString } from "../../plugins/seccomp/notify/memory.ts"
import { resolvePath, type ResolvedPath } from "../../plugins/seccomp/notify/paths.ts"
import { supervise } from "../../plugins/seccomp/notify/session.ts"
import { fakeListener, rawNotification, type FakeListener } from "../helpers/fake-listener.ts"

const [EPERM, ENOENT, EMFILE] = [1, 2, 24]
const listener = 7
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const busy = (ms: number): void => {
  const until = performance.now() + ms
  while (performance.now() < until);
}

interface Session {
  readonly fake: FakeListener
  readonly client: ListenerClient
  /** Deliver a notification with this id (and fields), pending in the kernel until answered. */
  readonly notify: (id: bigint, fields?: Parameters<typeof rawNotification>[1]) => void
  readonly killed: Array<Notification>
  /** How often the session stopped the child (and its group) through its pidfd. */
  readonly stops: () => number
}

/** A session whose every getppid (or what `fence` notifies) goes to `handler`, answered within `timeoutMs`. */
const session = (handler: NotifyHandler, timeoutMs = 200, fence: Policy = policy((rule) => rule.notify(handler, "getppid"), { default: "allow" })): Session => {
  const fake = fakeListener()
  let client: ListenerClient | undefined
  const loop: ListenerLoop = { add: (_fd, added) => void (client = added), remove: () => {}, size: () => (client === undefined ? 0 : 1) }
  const killed: Array<Notification> = []
  let stops = 0
  supervise(fake.system, loop, listener, {
    policy: fence,
    handlerFor: (rule) => (rule === 0 ? handler : undefined),
    nameOf: (_arch, nr) => (nr === 110 ? "getppid" : nr === 0 ? "read" : String(nr)),
    timeoutMs,
    errno: EPERM,
    launcher: { pid: 4000, isProgram: (pid) => pid === 4000, readSyscall: 0, readSize: 4093, code: { start: 0x7000n, end: 0x8000n } },
    onKill: (n) => killed.push(n),
    stopChild: () => void stops++
  })
  if (client === undefined) throw new Error("supervise did not add its listener to the loop")
  const added = client
  return {
    fake,
    client: added,
    notify: (id, fields) => {
      fake.pending.add(id)
      added.onNotification(rawNotification(id, fields))
    },
    killed,
    stops: () => stops
  }
}

/** Waits until `count` answers were sent (or fails after a second). */
const answered = async (fake: FakeListener, count: number): Promise<void> => {
  for (let waited = 0; fake.sent.length < count; waited += 2) {
    if (waited > 1000) throw new Error(`only ${fake.sent.length} of ${count} answers were sent`)
    await sleep(2)
  }
}

describe("a notify session", () => {
  it("answers each call as its handler answers, in the order the answers come", async () => {
    const delays = new Map([[1n, 60], [2n, 5], [3n, 30]])
    const { fake, notify } = session(async (n) => {
      await sleep(delays.get(n.id) ?? 0)
      return answer.value(n.id * 10n)
    })
    notify(1n)
    notify(2n)
    notify(3n)
    await answered(fake, 3)
    expect(fake.sent.map((s) => [s.id, s.value])).toEqual([[2n, 20n], [3n, 30n], [1n, 10n]])
  })

  it("encodes allow as CONTINUE, fail as a negative error, and a thrown handler as the deny", async () => {
    const { fake, notify } = session((n) => {
      if (n.id === 3n) throw new Error("boom")
      return n.id === 1n ? answer.allow() : answer.fail("EACCES")
    })
    notify(1n)
    notify(2n)
    notify(3n)
    await answered(fake, 3)
    expect(fake.sent).toEqual([
      { listener, id: 1n, value: 0n, error: 0, flags: 1 },
      { listener, id: 2n, value: 0n, error: -13, flags: 0 },
      { listener, id: 3n, value: 0n, error: -EPERM, flags: 0 }
    ])
  })

  it("ignores a SEND that fails with ENOENT (the caller went away) and goes on answering", async () => {
    const { fake, notify } = session(() => answer.value(1))
    fake.sendResult = -ENOENT
    notify(1n)
    await answered(fake, 1)
    fake.sendResult = 0
    notify(2n)
    await answered(fake, 2)
    expect(fake.sent.map((s) => s.id)).toEqual([1n, 2n])
  })

  it("denies at the timeout, and never sends the late answer", async () => {
    const { fake, notify } = session(async () => {
      await sleep(80)
      return answer.allow()
    }, 20)
    notify(1n)
    await answered(fake, 1)
    await sleep(120)
    expect(fake.sent).toEqual([{ listener, id: 1n, value: 0n, error: -EPERM, flags: 0 }])
  })

  it("denies a synchronous handler, plain or Effect, that blocks past the timeout, whatever it answers", async () => {
    const plain = session(() => (busy(60), answer.allow()), 20)
    plain.notify(1n)
    const effect = session(() => Effect.sync(() => (busy(60), answer.value(4242))), 20)
    effect.notify(1n)
    await answered(plain.fake, 1)
    await answered(effect.fake, 1)
    expect(plain.fake.sent).toEqual([{ listener, id: 1n, value: 0n, error: -EPERM, flags: 0 }])
    expect(effect.fake.sent).toEqual([{ listener, id: 1n, value: 0n, error: -EPERM, flags: 0 }])
  })

  it("sends nothing once the listener closed (POLLHUP): its fd number may belong to something else", async () => {
    const { fake, notify, client } = session(async () => {
      await sleep(30)
      return answer.allow()
    })
    notify(1n)
    client.onClosed()
    await sleep(80)
    expect(fake.sent).toEqual([])
  })

  it("injects an fd answer with ADDFD and closes its own copy; a refusal fails the call with its errno; ENOENT is the end", async () => {
    const { fake, notify } = session((n) => answer.fd(40 + Number(n.id), { closeOnExec: n.id === 1n }))
    notify(1n)
    await sleep(20)
    expect(fake.added).toEqual([{ listener, id: 1n, fd: 41, closeOnExec: true }])
    expect(fake.sent).toEqual([])
    expect(fake.closed).toContain(41)
    fake.addFdResult = -EMFILE
    notify(2n)
    await answered(fake, 1)
    expect(fake.sent).toEqual([{ listener, id: 2n, value: 0n, error: -EMFILE, flags: 0 }])
    expect(fake.closed).toContain(42)
    fake.addFdResult = -ENOENT
    notify(3n)
    await sleep(20)
    expect(fake.sent).toHaveLength(1)
    expect(fake.closed).toContain(43)
  })

  it("closes the fd of a late fd answer instead of injecting it", async () => {
    const { fake, notify } = session(async () => {
      await sleep(60)
      return answer.fd(55)
    }, 20)
    notify(1n)
    await answered(fake, 1)
    await sleep(80)
    expect(fake.added).toEqual([])
    expect(fake.closed).toContain(55)
    expect(fake.sent).toEqual([{ listener, id: 1n, value: 0n, error: -EPERM, flags: 0 }])
  })

  it("kill kills the launcher's group, the launcher and the caller, reports the call, and denies it", async () => {
    const { fake, notify, killed, stops } = session(() => answer.kill())
    notify(1n, { pid: 4243 })
    await answered(fake, 1)
    // The child and its group through its pidfd, the caller (still blocked in the call) through one opened for it.
    expect(stops()).toBe(1)
    expect(fake.killed).toEqual([[4243, 9]])
    expect(killed.map((n) => [n.id, n.name, n.rule])).toEqual([[1n, "getppid", 0]])
    expect(fake.sent[0]?.error).toBe(-EPERM)
  })

  // Blocked in the call, the caller keeps its pid only until a fatal signal from elsewhere (a sibling's SIGKILL) ends the
  // wait; reaped, its number is free, and with pid_max at 32768 a tree can cycle the numbers within a handler's timeout.
  it("kill signals no caller that is gone by the time the handler answers (its pid may be another process's), and still stops the child", async () => {
    let decide: () => void = () => {}
    const { fake, notify, stops } = session(() => new Promise((resolve) => (decide = () => resolve(answer.kill()))))
    notify(1n, { pid: 4243 })
    await sleep(5)
    fake.pending.delete(1n)
    decide()
    await answered(fake, 1)
    expect(stops()).toBe(1)
    expect(fake.killed).toEqual([])
  })

  it("closes what resolvePath opened once the call is answered; the notification's memory is Gone after that", async () => {
    let call: Notification | undefined
    const paths: Array<string> = []
    const { fake, notify } = session((n) => {
      call = n
      const target = resolvePath(n, undefined, 0)
      paths.push(target.path)
      return answer.emulate(target.mkdir(0o755))
    })
    fake.memory.set(0x7000n, new TextEncoder().encode("sub/dir\0"))
    notify(1n, { args: [0x7000n, 0o755n, 0n, 0n, 0n, 0n] })
    await answered(fake, 1)
    expect(paths).toEqual(["/tmp/dir/dir"])
    expect(fake.sent).toEqual([{ listener, id: 1n, value: 0n, error: 0, flags: 0 }])
    // The cwd (/proc/<pid>/cwd), the parent directory and /proc/<pid>/status (its umask), held until the answer, then closed.
    expect(fake.closed).toEqual([500, 501, 502])
    fake.pending.add(1n)
    expect(() => readString(call!, 0)).toThrow(expect.objectContaining({ _tag: "MemoryReadError", reason: "Gone" }))
  })

  it("a resolved path kept past the answer acts no more: its fd numbers may belong to something else by then", async () => {
    let kept: ResolvedPath | undefined
    const { fake, notify } = session(async (n) => {
      kept = resolvePath(n, undefined, 0)
      await sleep(60)
      return answer.allow()
    }, 20)
    fake.memory.set(0x7000n, new TextEncoder().encode("late\0"))
    notify(1n, { args: [0x7000n, 0o755n, 0n, 0n, 0n, 0n] })
    await answered(fake, 1)
    fake.pending.add(1n)
    expect(kept?.mkdir(0o755)).toBe(-3)
    expect(kept?.open(0)).toBe(-3)
  })

  it("resolvePath fails closed: a dirfd the child has not open is EBADF, a directory in /proc is refused, a detached notification has no files", async () => {
    const errors: Array<unknown> = []
    const { fake, notify } = session((n) => {
      try {
        resolvePath(n, n.id === 1n ? 0 : undefined, 1)
      } catch (error) {
        errors.push(error)
      }
      return answer.fail("EACCES")
    })
    fake.memory.set(0x7000n, new TextEncoder().encode("x\0"))
    notify(1n, { args: [77n, 0x7000n, 0n, 0n, 0n, 0n] })
    // The cwd is fd 500, its "." the parent 501, which lives in /proc.
    fake.links.set(501, "/proc/4242")
    notify(2n, { args: [0n, 0x7000n, 0n, 0n, 0n, 0n] })
    await answered(fake, 2)
    expect(errors).toEqual([
      expect.objectContaining({ _tag: "PathError", reason: "Unresolvable", errno: 9, path: "x" }),
      expect.objectContaining({ _tag: "PathError", reason: "Procfs", errno: 13, path: "x" })
    ])
    const detached = rawNotification(3n)
    expect(() => resolvePath({ ...detached, name: "mkdir", rule: 0 }, undefined, 0)).toThrow(expect.objectContaining({ _tag: "PathError", reason: "Detached" }))
  })
})

describe("the launcher's handshake read", () => {
  // read(3, buffer, 4093) from the child's pid (4000 here) inside the interpreter's page (0x7000-0x8000 here),
  // the one call the child program makes after installing the filter.
  const handshakeRead = { pid: 4000, syscall: 0, instructionPointer: 0x7010n, args: [3n, 0x5000n, 4093n, 0n, 0n, 0n] as const }

  it("is answered 1 by the session when read is notified whatever its arguments; the next such read is the target's and goes to the handler", async () => {
    const seen: Array<bigint> = []
    const handler: NotifyHandler = (n) => (seen.push(n.id), answer.fail("EACCES"))
    const { fake, notify } = session(handler, 200, policy((rule) => rule.notify(handler, "read"), { default: "allow" }))
    notify(1n, handshakeRead)
    notify(2n, handshakeRead)
    await answered(fake, 2)
    expect(fake.sent.map((s) => [s.id, s.value, s.error])).toEqual([[1n, 1n, 0], [2n, 0n, -13]])
    expect(seen).toEqual([2n])
  })

  it("is never answered by the session unless pid, fd 3, count and instruction pointer are all the program's", async () => {
    const seen: Array<bigint> = []
    const handler: NotifyHandler = (n) => (seen.push(n.id), answer.fail("EACCES"))
    const { fake, notify } = session(handler, 200, policy((rule) => rule.notify(handler, "read"), { default: "allow" }))
    notify(1n, { ...handshakeRead, pid: 4001 })
    notify(2n, { ...handshakeRead, args: [4n, 0x5000n, 4093n, 0n, 0n, 0n] })
    notify(3n, { ...handshakeRead, args: [3n, 0x5000n, 4092n, 0n, 0n, 0n] })
    // The target's own code calling read(3, buf, 4093): outside the interpreter's page, on either side.
    notify(4n, { ...handshakeRead, instructionPointer: 0x8000n })
    notify(5n, { ...handshakeRead, instructionPointer: 0x6fffn })
    await answered(fake, 5)
    expect(fake.sent.map((s) => [s.id, s.error])).toEqual([[1n, -13], [2n, -13], [3n, -13], [4n, -13], [5n, -13]])
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n])
  })

  it("goes to the handler under a conditional read rule: it cannot be told from the target's", async () => {
    const seen: Array<bigint> = []
    const handler: NotifyHandler = (n) => (seen.push(n.id), answer.allow())
    const { fake, notify } = session(handler, 200, policy((rule) => rule.notify(handler, "read", arg(2).eq(4093)), { default: "allow" }))
    notify(1n, handshakeRead)
    await answered(fake, 1)
    expect(fake.sent.map((s) => [s.id, s.flags])).toEqual([[1n, 1]])
    expect(seen).toEqual([1n])
  })
})

describe("a notify session's verdict check", () => {
  it("denies answers the kernel cannot take: no kind, errno 0 or beyond 4095, a number as return value, a negative fd", async () => {
    const nonsense: ReadonlyArray<unknown> = [
      undefined,
      { kind: "continue" },
      { kind: "fail", errno: 0 },
      { kind: "fail", errno: 4096 },
      { kind: "fail", errno: Number.NaN },
      { kind: "return", value: 5 },
      { kind: "fd", fd: -1 }
    ]
    const { fake, notify } = session((n) => nonsense[Number(n.id)] as never)
    nonsense.forEach((_, index) => notify(BigInt(index)))
    await answered(fake, nonsense.length)
    expect(fake.sent.map((s) => s.error)).toEqual(nonsense.map(() => -EPERM))
    expect(fake.added).toEqual([])
  })
})
