/**
 * Trap handlers through seccomp user notification, for any adapter: a handler
 * allows, denies, or fakes the result of a child's syscall after exec; it may
 * be async; a throwing or late handler denies (fail closed); policies that
 * notify read, write, sendmsg or execve neither deadlock the listener
 * handshake nor open a hole in it; grandchildren are supervised with their own
 * pid; idle listeners do not starve the host's own async I/O; and handlers may
 * be Effects (same timeout, fail closed) with calls watched as a Stream; and
 * they read pointer arguments from the child's memory, re-checked against the
 * notification id so a dead caller's pid is never trusted.
 */
import type { Services } from "../../adapters/portable.ts"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Fiber, Stream } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import type { ChildOptions } from "../../core/spec.ts"
import { answer, arg, notificationFeed, policy, readBytes, readString, seccomp, type Notification, type NotifyHandler, type SeccompOptions } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"
import { alive, inBackground, noneLeft, statBurst, waitUntil } from "../helpers/processes.ts"
import type { SpawnedChild } from "./launcher.ts"

/** One adapter under test. */
export interface NotifyApi {
  readonly runtime: string
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<RunResult>
  readonly spawn: (argv: ReadonlyArray<string>, options?: ChildOptions<unknown, Services>) => Promise<SpawnedChild>
}

const probeSource = fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url))
const restartProbeSource = fileURLToPath(new URL("../fixtures/restart-probe.c", import.meta.url))
const [SYS_read, SYS_getppid] = [0, 110]
const [EPERM, EACCES] = [1, 13]
const AUDIT_ARCH_X86_64 = 0xc000003e
/** The size of the child program's handshake read: a target's read of that size must still reach the handler. */
const handshakeReadSize = 4093
/** "Finishes quickly": far below the test timeout, far above a healthy run. */
const quickMs = 10_000

/** A policy that notifies `syscalls` and answers with `handler`, everything else allowed. */
const notifying = (handler: NotifyHandler, syscalls: ReadonlyArray<string>, options: SeccompOptions = {}): RunOptions<unknown, Services> => ({
  plugins: [seccomp(policy((rule) => rule.notify(handler, ...syscalls), { default: "allow" }), options)]
})

/** What `read` threw, or its result: handlers record both for the test to check after the run. */
const catching = (read: () => unknown): unknown => {
  try {
    return read()
  } catch (error) {
    return error
  }
}

export const notifySuite = (api: NotifyApi): void => {
  let probe = ""
  let restartProbe = ""
  beforeAll(() => {
    probe = buildC(probeSource)
    restartProbe = buildC(restartProbeSource)
  })

  const probeUnder = async (options: RunOptions<unknown, Services>, nr: number, ...args: ReadonlyArray<number>): Promise<RunResult> => {
    const result = await api.run([probe, String(nr), ...args.map(String)], options)
    expect(result.exitCode, result.stderr).toBe(0)
    return result
  }

  describe(`notify handlers on ${api.runtime}`, () => {
    it("a handler allows the call: the kernel runs it", async () => {
      const result = await probeUnder(notifying(() => answer.allow(), ["getppid"]), SYS_getppid)
      expect(result.stdout.trim()).toMatch(/^ok \d+$/)
      expect(result.stdout.trim()).not.toBe("ok 4242")
    })

    it("a handler denies the call with an errno", async () => {
      const result = await probeUnder(notifying(() => answer.fail("EACCES"), ["getppid"]), SYS_getppid)
      expect(result.stdout.trim()).toBe(`errno ${EACCES}`)
    })

    it("a handler fakes the return value of the child's syscall after exec, and sees who called what", async () => {
      const seen: Array<Notification> = []
      const result = await probeUnder(notifying((n) => (seen.push(n), answer.value(4242)), ["getppid"]), SYS_getppid, 7)
      expect(result.stdout.trim()).toBe("ok 4242")
      const call = seen.find((n) => n.name === "getppid")
      expect(call).toMatchObject({ pid: result.pid, syscall: SYS_getppid, arch: AUDIT_ARCH_X86_64, rule: 0 })
      expect(call?.args).toEqual([7n, 0n, 0n, 0n, 0n, 0n])
      expect(typeof call?.id).toBe("bigint")
      expect(call?.instructionPointer).toBeGreaterThan(0n)
    })

    it("an async handler answers later", async () => {
      const late: NotifyHandler = async () => {
        await new Promise((resolve) => setTimeout(resolve, 50))
        return answer.value(7)
      }
      expect((await probeUnder(notifying(late, ["getppid"]), SYS_getppid)).stdout.trim()).toBe("ok 7")
    })

    it("a call a signal interrupts comes back with a new id after its SA_RESTART handler; the new one is answered, the late answer to the old one is harmless", async () => {
      // A SIGALRM sent while the probe waits for the first answer interrupts it: the kernel drops that
      // notification (its id is no longer valid) and restarts getppid after the handler, as a new one.
      const seen: Array<Notification> = []
      const firstGone: Array<unknown> = []
      let lateAnswer = false
      const handler: NotifyHandler = async (n) => {
        seen.push(n)
        const first = seen[0]!
        if (n === first) {
          // Sent from here, the signal surely lands while the call waits for this answer.
          process.kill(n.pid, "SIGALRM")
          await new Promise((resolve) => setTimeout(resolve, 400))
          lateAnswer = true
        } else if (seen.length === 2) {
          // The caller is alive, blocked in this second call: only the first id itself can be gone.
          firstGone.push(catching(() => readBytes(first, first.instructionPointer - 2n, 2)))
        }
        return answer.value(4242)
      }
      const result = await api.run([restartProbe], notifying(handler, ["getppid"]))
      // The probe lingers past the late answer: it went to the still-open listener (SEND: ENOENT, ignored).
      expect(lateAnswer).toBe(true)
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stdout).toBe("ok 4242\nsignals 1\n")
      const calls = seen.filter((n) => n.name === "getppid" && n.pid === result.pid)
      expect(calls.length).toBeGreaterThanOrEqual(2)
      expect(new Set(calls.map((n) => n.id)).size).toBe(calls.length)
      expect(firstGone[0]).toMatchObject({ _tag: "MemoryReadError", reason: "Gone", pid: result.pid })
    })

    it("a handler that throws denies the call with EPERM", async () => {
      const result = await probeUnder(notifying(() => { throw new Error("boom") }, ["getppid"]), SYS_getppid)
      expect(result.stdout.trim()).toBe(`errno ${EPERM}`)
    })

    it("a handler that does not answer in time denies the call with EPERM", async () => {
      const started = Date.now()
      const never: NotifyHandler = () => new Promise(() => {})
      const result = await probeUnder(notifying(never, ["getppid"], { notify: { timeoutMs: 200 } }), SYS_getppid)
      expect(result.stdout.trim()).toBe(`errno ${EPERM}`)
      expect(Date.now() - started).toBeLessThan(quickMs)
    })

    describe("an answer after the deadline is denied, whatever it says", () => {
      /** Blocks the event loop for `ms`, as a CPU-bound synchronous handler does: no timer can fire meanwhile. */
      const busy = (ms: number): void => {
        const until = performance.now() + ms
        while (performance.now() < until);
      }
      const late = { notify: { timeoutMs: 300 } }

      it("a synchronous handler that blocks past the timeout and then allows", async () => {
        const result = await probeUnder(notifying(() => (busy(1500), answer.allow()), ["getppid"], late), SYS_getppid)
        expect(result.stdout.trim()).toBe(`errno ${EPERM}`)
      })

      it("a synchronous Effect handler that blocks past the timeout and then fakes a result", async () => {
        const result = await probeUnder(notifying(() => Effect.sync(() => (busy(1500), answer.value(4242))), ["getppid"], late), SYS_getppid)
        expect(result.stdout.trim()).toBe(`errno ${EPERM}`)
      })

      it("an async handler that blocks before its first await and then allows", async () => {
        const result = await probeUnder(notifying(async () => (busy(1500), answer.allow()), ["getppid"], late), SYS_getppid)
        expect(result.stdout.trim()).toBe(`errno ${EPERM}`)
      })

      it("an async handler that allows after the timeout", async () => {
        const slow: NotifyHandler = async () => {
          await new Promise((resolve) => setTimeout(resolve, 800))
          return answer.allow()
        }
        const result = await probeUnder(notifying(slow, ["getppid"], late), SYS_getppid)
        expect(result.stdout.trim()).toBe(`errno ${EPERM}`)
      })

      it("a handler that answers within the timeout is honoured", async () => {
        const result = await probeUnder(notifying(() => (busy(50), answer.value(7)), ["getppid"], late), SYS_getppid)
        expect(result.stdout.trim()).toBe("ok 7")
      })
    })

    it("a handler that answers kill ends the child, and the exit diagnosis names the syscall and rule", async () => {
      const options = { plugins: [seccomp(policy((rule) => rule.allow("read").notify(() => answer.kill(), "getppid"), { default: "allow" }))] }
      const result = await api.run([probe, String(SYS_getppid)], options)
      expect(result).toMatchObject({ exitCode: undefined, signal: "SIGKILL", stdout: "" })
      expect(result.diagnosis).toEqual({
        cause: "seccomp",
        message: `Killed by a seccomp notify handler: "getppid" (${SYS_getppid}) by rules[1], called by pid ${result.pid}`,
        syscalls: ["getppid"]
      })
    })

    // The target calls at once after its exec, often before its init's report that it exec'd is read: the kill
    // then ends the namespace first, and the pid kakoi reports must still be the target's, not its init's.
    it("a handler that answers kill at the target's first call: the reported pid is the caller's, every time", async () => {
      const callers: Array<number> = []
      const options = { plugins: [seccomp(policy((rule) => rule.allow("read").notify((call) => (callers.push(call.pid), answer.kill()), "getppid"), { default: "allow" }))] }
      for (let round = 0; round < 30; round++) {
        const result = await api.run([probe, String(SYS_getppid)], options)
        expect(result.signal).toBe("SIGKILL")
        expect(result.pid, `round ${round}`).toBe(callers.at(-1))
      }
    })

    it("a handler that answers kill also ends what the child left in its process group", async () => {
      // uname: neither sh nor sleep calls it, so only the probe the script execs is stopped by the handler.
      const SYS_uname = 63
      const options = { env: { PATH: "/usr/bin:/bin" }, plugins: [seccomp(policy((rule) => rule.notify(() => answer.kill(), "uname"), { default: "allow" }))] }
      const sleeper = inBackground("sleep 30")
      const result = await api.run(["/bin/sh", "-c", `${sleeper.script} sleep 0.3; exec ${probe} ${SYS_uname}`], options)
      expect(result).toMatchObject({ signal: "SIGKILL", stdout: "running\n" })
      expect(await noneLeft(sleeper.marker)).toBe(true)
    })

    it("a notify rule without a handler denies with EPERM", async () => {
      const options = { plugins: [seccomp(policy((rule) => rule.notify("getppid"), { default: "allow" }))] }
      expect((await probeUnder(options, SYS_getppid)).stdout.trim()).toBe(`errno ${EPERM}`)
    })

    it("a JSON policy names its handler by key, supplied to seccomp()", async () => {
      const json = { default: "allow" as const, rules: [{ action: "notify" as const, handler: "fake", syscalls: ["getppid"] }] }
      const options = { plugins: [seccomp(json, { handlers: { fake: () => answer.value(99) } })] }
      expect((await probeUnder(options, SYS_getppid)).stdout.trim()).toBe("ok 99")
    })

    describe("the Effect API", () => {
      it("an Effect handler allows, denies and fakes the result", async () => {
        const allowed = await probeUnder(notifying(() => Effect.succeed(answer.allow()), ["getppid"]), SYS_getppid)
        expect(allowed.stdout.trim()).toMatch(/^ok \d+$/)
        expect(allowed.stdout.trim()).not.toBe("ok 4242")
        const denied = await probeUnder(notifying(() => Effect.succeed(answer.fail("EACCES")), ["getppid"]), SYS_getppid)
        expect(denied.stdout.trim()).toBe(`errno ${EACCES}`)
        const faked = await probeUnder(notifying((n) => Effect.as(Effect.sleep("20 millis"), answer.value(n.args[0] + 1n)), ["getppid"]), SYS_getppid, 41)
        expect(faked.stdout.trim()).toBe("ok 42")
      })

      it("an Effect handler that fails, dies or outlives the timeout denies the call (fail closed), and a late one is interrupted", async () => {
        const failing = await probeUnder(notifying(() => Effect.fail("no"), ["getppid"]), SYS_getppid)
        expect(failing.stdout.trim()).toBe(`errno ${EPERM}`)
        const dying = await probeUnder(notifying(() => Effect.die(new Error("boom")), ["getppid"]), SYS_getppid)
        expect(dying.stdout.trim()).toBe(`errno ${EPERM}`)
        let interrupted = false
        const never: NotifyHandler = () => Effect.onInterrupt(Effect.never, () => Effect.sync(() => (interrupted = true)))
        const late = await probeUnder(notifying(never, ["getppid"], { notify: { timeoutMs: 200, errno: "EACCES" } }), SYS_getppid)
        expect(late.stdout.trim()).toBe(`errno ${EACCES}`)
        expect(interrupted).toBe(true)
      })

      it("a notification Stream sees the trapped calls in order, denied ones too", async () => {
        const feed = notificationFeed()
        // The shell may call getppid itself (with whatever is in its registers); the probes mark theirs 1001..1003.
        const probes = Effect.runFork(feed.notifications.pipe(
          Stream.filter((n) => n.name === "getppid" && n.args[0] > 1000n && n.args[0] < 1004n),
          Stream.take(3),
          Stream.runCollect
        ))
        const handler: NotifyHandler = (n) => (n.args[0] === 1002n ? answer.fail("EACCES") : answer.allow())
        const script = [1001, 1002, 1003].map((arg) => `${probe} ${SYS_getppid} ${arg}`).join("; ")
        const result = await api.run(["/bin/sh", "-c", script], notifying(handler, ["getppid"], { notify: { onNotification: feed.onNotification } }))
        expect(result.stdout).toMatch(/^ok \d+\nerrno 13\nok \d+\n$/)
        const seen = [...await Effect.runPromise(Fiber.join(probes))]
        expect(seen.map((n) => n.args[0])).toEqual([1001n, 1002n, 1003n])
        expect(seen.every((n) => n.pid !== result.pid && n.rule === 0)).toBe(true)
      })
    })

    describe("reading the child's memory", () => {
      it("readString reads a path argument, and a handler denies on it", async () => {
        const directory = mkdtempSync(join(tmpdir(), "kakoi-read-"))
        const paths: Array<string> = []
        const tooShort: Array<unknown> = []
        const denyNamedDenied: NotifyHandler = (n) => {
          const pointer = n.name === "mkdirat" ? 1 : 0
          tooShort.push(catching(() => readString(n, pointer, 3)))
          const path = readString(n, pointer)
          paths.push(path)
          return path.endsWith("/denied") ? answer.fail("EACCES") : answer.allow()
        }
        const result = await api.run(["/bin/mkdir", `${directory}/allowed`, `${directory}/denied`], notifying(denyNamedDenied, ["mkdir", "mkdirat"]))
        expect(result.stderr).toContain("Permission denied")
        expect(paths).toEqual([`${directory}/allowed`, `${directory}/denied`])
        expect(existsSync(`${directory}/allowed`)).toBe(true)
        expect(existsSync(`${directory}/denied`)).toBe(false)
        expect(tooShort[0]).toMatchObject({ _tag: "MemoryReadError", reason: "Unterminated", pid: result.pid, length: 3 })
      })

      it("readBytes reads exact bytes, and an address the child has not mapped is Unreadable", async () => {
        const read: Array<unknown> = []
        const handler: NotifyHandler = (n) => {
          // The instruction pointer is right after the `syscall` instruction, 0f 05.
          read.push(readBytes(n, n.instructionPointer - 2n, 2), catching(() => readBytes(n, 0, 8)), catching(() => readString(n, 0n)))
          return answer.allow()
        }
        await probeUnder(notifying(handler, ["getppid"]), SYS_getppid, 0)
        expect(read[0]).toEqual(Uint8Array.of(0x0f, 0x05))
        expect(read[1]).toMatchObject({ _tag: "MemoryReadError", reason: "Unreadable", address: 0n, length: 8, errno: 14 })
        expect(read[2]).toMatchObject({ _tag: "MemoryReadError", reason: "Unreadable", address: 0n })
      })

      it("a string that ends right before an unmapped page is read; bytes that run into it are Unreadable", async () => {
        const read: Array<unknown> = []
        const handler: NotifyHandler = (n) => {
          // The top 8 bytes of the initial stack are a NULL pointer (below it, the program's path); nothing is mapped above.
          const stack = readFileSync(`/proc/${n.pid}/maps`, "utf8").split("\n").find((line) => line.endsWith("[stack]")) ?? ""
          const end = BigInt(`0x${stack.split(/[- ]/)[1]}`)
          read.push(catching(() => readString(n, end - 1n)), catching(() => readBytes(n, end - 4n, 8)), catching(() => readBytes(n, end - 8n, 8)))
          return answer.allow()
        }
        await probeUnder(notifying(handler, ["getppid"]), SYS_getppid)
        expect(read[0]).toBe("")
        expect(read[1]).toMatchObject({ _tag: "MemoryReadError", reason: "Unreadable", length: 8 })
        expect(read[2]).toEqual(new Uint8Array(8))
      })

      it("a read once the caller has died is Gone, never trusted", async () => {
        const outcomes: Array<unknown> = []
        let handled = (): void => {}
        const done = new Promise<void>((resolve) => (handled = resolve))
        const handler: NotifyHandler = async (n) => {
          outcomes.push(readBytes(n, n.instructionPointer - 2n, 2))
          process.kill(n.pid, "SIGKILL")
          await new Promise((resolve) => setTimeout(resolve, 200))
          outcomes.push(catching(() => readBytes(n, n.instructionPointer - 2n, 2)))
          handled()
          return answer.allow()
        }
        const result = await api.run([probe, String(SYS_getppid)], notifying(handler, ["getppid"]))
        expect(result.signal).toBe("SIGKILL")
        // The run ends with the child; the handler finishes its second read after that.
        await done
        expect(outcomes[0]).toEqual(Uint8Array.of(0x0f, 0x05))
        expect(outcomes[1]).toMatchObject({ _tag: "MemoryReadError", reason: "Gone", pid: result.pid })
      })
    })

    describe("the listener handshake", () => {
      for (const syscall of ["read", "write", "sendmsg", "execve"]) {
        it(`does not deadlock when the policy notifies ${syscall}`, async () => {
          const started = Date.now()
          const seen: Array<string> = []
          const result = await api.run(["/bin/echo", "hi"], notifying((n) => (seen.push(n.name), answer.allow()), [syscall]))
          expect(result).toMatchObject({ exitCode: 0, stdout: "hi\n" })
          expect(Date.now() - started).toBeLessThan(quickMs)
          if (syscall !== "sendmsg") expect(seen).toContain(syscall)
        })
      }

      it("opens no hole for read: the target's reads, even of the handshake's size, reach the handler", async () => {
        const denyStdin: NotifyHandler = (n) => (n.args[0] === 0n ? answer.fail("EACCES") : answer.allow())
        const options = notifying(denyStdin, ["read"])
        expect((await probeUnder(options, SYS_read, 0, 0, 1)).stdout.trim()).toBe(`errno ${EACCES}`)
        expect((await probeUnder(options, SYS_read, 0, 0, handshakeReadSize)).stdout.trim()).toBe(`errno ${EACCES}`)
      })

      it("opens no hole for read under a conditional read rule: the target's read of the handshake's size reaches the handler", async () => {
        // read(0, ...) notified, the child program's read on its channel (fd 3) not: the handshake ends without a notification.
        const seen: Array<readonly [bigint, bigint]> = []
        const denyStdin: NotifyHandler = (n) => (seen.push([n.args[0], n.args[2]]), answer.fail("EACCES"))
        const options = { plugins: [seccomp(policy((rule) => rule.notify(denyStdin, "read", arg(0).eq(0)), { default: "allow" }))] }
        expect((await probeUnder(options, SYS_read, 0, 0, handshakeReadSize)).stdout.trim()).toBe(`errno ${EACCES}`)
        expect(seen).toEqual([[0n, BigInt(handshakeReadSize)]])
      })

      it("under a conditional read rule that matches the launcher's read too, the handler sees it, and allowing it lets the child start", async () => {
        const sizes: Array<bigint> = []
        const count: NotifyHandler = (n) => (sizes.push(n.args[2]), answer.allow())
        const options = { plugins: [seccomp(policy((rule) => rule.notify(count, "read", arg(2).eq(BigInt(handshakeReadSize))), { default: "allow" }))] }
        const result = await probeUnder(options, SYS_read, 0, 0, 0)
        expect(result.stdout.trim()).toBe("ok 0")
        expect(sizes).toEqual([BigInt(handshakeReadSize)])
      })

      it("a notify policy that denies read, which the handshake needs, is refused before anything starts", async () => {
        const options = { plugins: [seccomp(policy((rule) => rule.notify(() => answer.allow(), "getppid").errno("EPERM", "read"), { default: "allow" }))] }
        await expect(api.run(["/bin/true"], options)).rejects.toMatchObject({ _tag: "PolicyError", reason: "HandshakeBlocked" })
      })

      it("opens no hole for execve: a handler that denies it keeps the target from ever starting", async () => {
        await expect(api.run(["/bin/true"], notifying(() => answer.fail("EACCES"), ["execve"]))).rejects.toMatchObject({
          _tag: "SpawnError",
          reason: "PermissionDenied"
        })
      })
    })

    it("grandchildren notify on the same listener with their own pid", async () => {
      const seen: Array<Notification> = []
      const result = await api.run(["/bin/sh", "-c", `${probe} ${SYS_getppid}; ${probe} ${SYS_getppid}; true`], notifying((n) => (seen.push(n), answer.value(4242)), ["getppid"]))
      expect(result.stdout).toBe("ok 4242\nok 4242\n")
      // The shell may ask for its own parent too; the probes are its children.
      const pids = seen.filter((n) => n.name === "getppid" && n.pid !== result.pid).map((n) => n.pid)
      expect(pids).toHaveLength(2)
      expect(new Set(pids).size).toBe(2)
      expect(pids).not.toContain(result.pid)
    })

    it("16 idle children with listeners do not starve the host's fs.promises", async () => {
      const file = join(mkdtempSync(join(tmpdir(), "kakoi-")), "file")
      writeFileSync(file, "x")
      await statBurst(file)
      const baseline = await statBurst(file)
      const children = await Promise.all(Array.from({ length: 16 }, () => api.spawn(["/bin/sleep", "30"], notifying(() => answer.allow(), ["getppid"]))))
      try {
        const loaded = await statBurst(file)
        expect(loaded).toBeLessThan(baseline * 10 + 250)
      } finally {
        for (const child of children) child.kill("SIGKILL")
        await Promise.all(children.map((child) => child.result))
      }
    })
  })
}
