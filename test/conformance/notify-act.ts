/**
 * Pointer arguments, the pattern that holds: a handler that read a path and
 * answers CONTINUE loses to a child that rewrites the path in between (the
 * TOCTOU attack, shown to work), while a handler that resolves the path
 * itself (resolvePath), decides on that, and performs the call (mkdir in the
 * supervisor, answer.emulate; open in the supervisor, answer.fd through ADDFD)
 * cannot be raced. Resolution goes through the caller's cwd, dirfd, and
 * symlinks, never into /proc; for any adapter.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, posix } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Services } from "../../adapters/portable.ts"
import type { RunOptions, RunResult } from "../../core/api.ts"
import {
  answer,
  closeOnExec,
  followsLastLink,
  PathError,
  policy,
  readString,
  resolvePath,
  seccomp,
  type Notification,
  type NotifyHandler,
  type ResolvedPath
} from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

/** One adapter under test. */
export interface NotifyActApi {
  readonly runtime: string
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<RunResult>
}

const attackSource = fileURLToPath(new URL("../fixtures/toctou-mkdir.c", import.meta.url))
const callsSource = fileURLToPath(new URL("../fixtures/path-calls.c", import.meta.url))
const tries = 3000
const [ENOENT, EEXIST, EACCES] = [2, 17, 13]

const notifying = (handler: NotifyHandler, ...syscalls: ReadonlyArray<string>): RunOptions<unknown, Services> => ({
  plugins: [seccomp(policy((rule) => rule.notify(handler, ...syscalls), { default: "allow" }))]
})

const underEtc = (path: string): boolean => path === "/etc" || path.startsWith("/etc/")

/** mkdir(path, mode) or mkdirat(dirfd, path, mode), resolved by the supervisor. */
const mkdirTarget = (call: Notification): ResolvedPath =>
  call.name === "mkdirat" ? resolvePath(call, 0, 1) : resolvePath(call, undefined, 0)

/** The pattern that holds: decide on the supervisor's resolution, then mkdir there itself. */
const denyEtcActing = (seen: Array<string> = []): NotifyHandler => (call) => {
  const target = mkdirTarget(call)
  seen.push(target.path)
  if (underEtc(target.path)) return answer.fail("EACCES")
  return answer.emulate(target.mkdir(call.args[call.name === "mkdirat" ? 2 : 1]))
}

export const notifyActSuite = (api: NotifyActApi): void => {
  let attack = ""
  let calls = ""
  let scratch = ""
  beforeAll(() => {
    attack = buildC(attackSource, ["-pthread"])
    calls = buildC(callsSource, ["-static"])
    scratch = mkdtempSync(join(tmpdir(), "kakoi-act-"))
  })
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  /** A fresh directory under the scratch dir, and a name under /etc that does not exist yet (removed after the test). */
  const fresh = (() => {
    let count = 0
    return (label: string): { readonly dir: string; readonly forbidden: string } => {
      count++
      const dir = join(scratch, `${label}-${count}`)
      mkdirSync(dir)
      return { dir, forbidden: `/etc/kakoi-${label}-${process.pid}-${Date.now()}-${count}` }
    }
  })()

  describe(`acting on what a notify handler read, on ${api.runtime}`, () => {
    it("the attack works: a handler that reads the path and answers CONTINUE lets the child create a directory under /etc", async () => {
      const { dir, forbidden } = fresh("toctou-continue")
      // The old deny-etc-mkdir example: read the path, deny under /etc, else let the kernel run the call.
      const readThenContinue: NotifyHandler = (call) => (underEtc(posix.normalize(readString(call, 0))) ? answer.fail("EACCES") : answer.allow())
      try {
        const result = await api.run([attack, join(dir, "harmless"), forbidden, String(tries)], notifying(readThenContinue, "mkdir"))
        expect(result.exitCode, result.stderr).toBe(0)
        expect(result.stdout).toMatch(new RegExp(`^created ${forbidden} after \\d+ tries\n$`))
        expect(existsSync(forbidden)).toBe(true)
      } finally {
        rmSync(forbidden, { recursive: true, force: true })
      }
    })

    it("the pattern that holds: the supervisor resolves the path, decides, and makes the directory itself; the same attack never lands", async () => {
      const { dir, forbidden } = fresh("toctou-act")
      try {
        const result = await api.run([attack, join(dir, "harmless"), forbidden, String(tries)], notifying(denyEtcActing(), "mkdir"))
        expect(result.exitCode, result.stderr).toBe(0)
        const [, created = "0"] = /^held after \d+ tries, (\d+) harmless created\n$/.exec(result.stdout) ?? []
        expect(result.stdout).toMatch(/^held after/)
        // The harmless directory was made (by the supervisor) on many of the tries: the handler answered, not just denied.
        expect(Number(created)).toBeGreaterThan(0)
        expect(existsSync(forbidden)).toBe(false)
      } finally {
        rmSync(forbidden, { recursive: true, force: true })
      }
    })

    it("resolves a relative path against the caller's dirfd and cwd, applies the child's umask, and passes EEXIST on", async () => {
      const { dir } = fresh("relative")
      const seen: Array<string> = []
      const options = notifying(denyEtcActing(seen), "mkdir", "mkdirat")
      const viaDirfd = await api.run([calls, "mkdirat", dir, "sub"], options)
      expect(viaDirfd.stdout).toBe("ok 0\n")
      expect(statSync(join(dir, "sub")).mode & 0o7777).toBe(0o700)
      const viaCwd = await api.run(["/bin/sh", "-c", `umask 027 && cd ${dir} && ${calls} mkdir rel && ${calls} mkdir rel`], options)
      expect(viaCwd.stdout).toBe(`ok 0\nerrno ${EEXIST}\n`)
      expect(statSync(join(dir, "rel")).mode & 0o7777).toBe(0o750)
      expect(seen).toEqual([join(dir, "sub"), join(dir, "rel"), join(dir, "rel")])
    })

    it("sees through a symlink that a check on the text would miss, and refuses to act in /proc", async () => {
      const { dir, forbidden } = fresh("symlink")
      symlinkSync("/etc", join(dir, "link"))
      const name = posix.basename(forbidden)
      const seen: Array<string> = []
      const errors: Array<unknown> = []
      const handler = denyEtcActing(seen)
      const recording: NotifyHandler = (call) => {
        try {
          return handler(call)
        } catch (error) {
          errors.push(error)
          throw error
        }
      }
      try {
        const result = await api.run(["/bin/sh", "-c", `${calls} mkdir ${dir}/link/${name}; ${calls} mkdir /proc/1/x`], notifying(recording, "mkdir"))
        expect(result.stdout).toBe(`errno ${EACCES}\nerrno 1\n`)
        expect(seen).toEqual([forbidden])
        expect(existsSync(forbidden)).toBe(false)
        expect(errors).toHaveLength(1)
        expect(errors[0]).toBeInstanceOf(PathError)
        expect(errors[0]).toMatchObject({ reason: "Procfs", path: "/proc/1/x" })
      } finally {
        rmSync(forbidden, { recursive: true, force: true })
      }
    })

    it("a missing parent is a PathError with the kernel's errno, which the handler can pass on", async () => {
      const { dir } = fresh("missing")
      const handler: NotifyHandler = (call) => {
        try {
          return denyEtcActing()(call)
        } catch (error) {
          return error instanceof PathError && error.reason === "Unresolvable" ? answer.fail(error.errno) : answer.fail("EPERM")
        }
      }
      const result = await api.run([calls, "mkdir", `${dir}/no/such`], notifying(handler, "mkdir"))
      expect(result.stdout).toBe(`errno ${ENOENT}\n`)
    })

    describe("open through ADDFD", () => {
      /** openat(dirfd, path, flags, mode): resolve (following a last symlink when open would), allow only under `allowed`, open, inject. */
      const openUnder = (allowed: string, seen: Array<string>): NotifyHandler => (call) => {
        const flags = call.args[2]
        const target = resolvePath(call, 0, 1, { follow: followsLastLink(flags) })
        seen.push(target.path)
        if (!target.path.startsWith(`${allowed}/`)) return answer.fail("EACCES")
        return answer.fd(target.open(flags, call.args[3]), { closeOnExec: closeOnExec(flags) })
      }

      it("the supervisor opens the file and the child gets the fd as the call's result, close-on-exec as asked", async () => {
        const { dir } = fresh("open")
        writeFileSync(join(dir, "file"), "hello from the supervisor\n")
        symlinkSync("file", join(dir, "alias"))
        const seen: Array<string> = []
        const options = notifying(openUnder(dir, seen), "openat")
        const plain = await api.run([calls, "open", join(dir, "file")], options)
        expect(plain.stdout).toMatch(/^fd \d+ cloexec 0 read hello from the supervisor\n$/)
        const cloexec = await api.run([calls, "open", join(dir, "alias"), "cloexec"], options)
        expect(cloexec.stdout).toMatch(/^fd \d+ cloexec 1 read hello from the supervisor\n$/)
        const missing = await api.run([calls, "open", join(dir, "missing")], options)
        expect(missing.stdout).toBe(`errno ${ENOENT}\n`)
        const outside = await api.run([calls, "open", "/etc/passwd"], options)
        expect(outside.stdout).toBe(`errno ${EACCES}\n`)
        expect(seen).toEqual([join(dir, "file"), join(dir, "file"), join(dir, "missing"), "/etc/passwd"])
      })

      it("a symlink that leads out of the allowed directory is seen for what it opens", async () => {
        const { dir } = fresh("open-link")
        symlinkSync("/etc/passwd", join(dir, "escape"))
        const seen: Array<string> = []
        const result = await api.run([calls, "open", join(dir, "escape")], notifying(openUnder(dir, seen), "openat"))
        expect(result.stdout).toBe(`errno ${EACCES}\n`)
        expect(seen).toEqual(["/etc/passwd"])
      })
    })
  })
}
