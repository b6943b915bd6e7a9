/**
 * Trap handlers through seccomp user notification, for any adapter: a handler
 * allows, denies, or fakes the result of a child's syscall after exec; it may
 * be async; a throwing or late handler denies (fail closed); policies that
 * notify read, write, sendmsg or execve neither deadlock the listener
 * handshake nor open a hole in it; grandchildren are supervised with their own
 * pid; and idle listeners do not starve the host's own async I/O.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import type { ChildOptions } from "../../core/spec.ts"
import { answer, policy, seccomp, type Notification, type NotifyHandler, type SeccompOptions } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"
import type { SpawnedChild } from "./launcher.ts"

/** One adapter under test. */
export interface NotifyApi {
  readonly runtime: string
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
  readonly spawn: (argv: ReadonlyArray<string>, options?: ChildOptions<any, any>) => Promise<SpawnedChild>
}

const probeSource = fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url))
const [SYS_read, SYS_getppid] = [0, 110]
const [EPERM, EACCES] = [1, 13]
const AUDIT_ARCH_X86_64 = 0xc000003e
/** The size of the launcher's handshake read (core/job.ts): a target's read of that size must still reach the handler. */
const handshakeReadSize = 4093
/** "Finishes quickly": far below the test timeout, far above a healthy run. */
const quickMs = 10_000

/** A policy that notifies `syscalls` and answers with `handler`, everything else allowed. */
const notifying = (handler: NotifyHandler, syscalls: ReadonlyArray<string>, options: SeccompOptions = {}): RunOptions<any, any> => ({
  plugins: [seccomp(policy((rule) => rule.notify(handler, ...syscalls), { default: "allow" }), options)]
})

export const notifySuite = (api: NotifyApi): void => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(probeSource)
  })

  const probeUnder = async (options: RunOptions<any, any>, nr: number, ...args: ReadonlyArray<number>): Promise<RunResult> => {
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

    it("a notify rule without a handler denies with EPERM", async () => {
      const options = { plugins: [seccomp(policy((rule) => rule.notify("getppid"), { default: "allow" }))] }
      expect((await probeUnder(options, SYS_getppid)).stdout.trim()).toBe(`errno ${EPERM}`)
    })

    it("a JSON policy names its handler by key, supplied to seccomp()", async () => {
      const json = { default: "allow" as const, rules: [{ action: "notify" as const, handler: "fake", syscalls: ["getppid"] }] }
      const options = { plugins: [seccomp(json, { handlers: { fake: () => answer.value(99) } })] }
      expect((await probeUnder(options, SYS_getppid)).stdout.trim()).toBe("ok 99")
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
      const statBurst = async (): Promise<number> => {
        const started = performance.now()
        for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 8 }, () => stat(file)))
        return performance.now() - started
      }
      await statBurst()
      const baseline = await statBurst()
      const children = await Promise.all(Array.from({ length: 16 }, () => api.spawn(["/bin/sleep", "30"], notifying(() => answer.allow(), ["getppid"]))))
      try {
        const loaded = await statBurst()
        expect(loaded).toBeLessThan(baseline * 10 + 250)
      } finally {
        for (const child of children) child.kill("SIGKILL")
        await Promise.all(children.map((child) => child.result))
      }
    })
  })
}
