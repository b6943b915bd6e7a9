/**
 * The launcher's behaviour, as one suite every adapter runs (test/node,
 * test/deno, test/bun): what the target inherits and what it does not, exits
 * as data, typed start failures, and spawn handles. (What a supervising
 * process passes on is in inherit.ts; attacks on the launcher in native-launcher.ts.)
 */
import type { Services } from "../../adapters/portable.ts"
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { RunOptions, RunResult, SpawnResult } from "../../core/api.ts"
import type { SignalName } from "../../core/signals.ts"
import type { ChildOptions } from "../../core/spec.ts"

/** A spawned child as the suite sees it: the runtime's own streams stay behind `Streams`. */
export interface SpawnedChild {
  readonly pid: number
  readonly kill: (signal?: SignalName) => boolean
  readonly result: Promise<SpawnResult>
}

/** How the suite reaches a spawned child's stdin and stdout in one runtime's stream type `Io`. */
export interface Streams<Io> {
  readonly write: (io: Io, text: string) => Promise<void>
  readonly end: (io: Io) => Promise<void>
  /** The first chunk the child writes to stdout, as text. */
  readonly firstChunk: (io: Io) => Promise<string>
}

/** One adapter under test: its `run` and `spawn`, and how to use its streams. */
export interface AdapterUnderTest<Io> {
  readonly runtime: string
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<RunResult>
  readonly spawn: (argv: ReadonlyArray<string>, options?: ChildOptions<unknown, Services>) => Promise<Io & SpawnedChild>
  readonly streams: Streams<Io>
  /** Sets a variable in the supervisor's own environment. */
  readonly setEnv: (name: string, value: string) => void
  /** Removes a variable from the supervisor's own environment. */
  readonly unsetEnv: (name: string) => void
}

const sh = (script: string): Array<string> => ["/bin/sh", "-c", script]

const fileWithMode = (content: string, mode: number): string => {
  const path = join(mkdtempSync(join(tmpdir(), "kakoi-")), "file")
  writeFileSync(path, content)
  chmodSync(path, mode)
  return path
}

/** Registers the launcher suite for one adapter. */
export const launcherSuite = <Io>(adapter: AdapterUnderTest<Io>): void => {
  const { run, spawn, streams } = adapter

  describe(`launcher on ${adapter.runtime}`, () => {
    it("spawn() keeps the pid: the spawned pid is the target's as the supervisor sees it; inside its pid namespace it is 2", async () => {
      const child = await spawn(sh("echo $$; exec sleep 30"), { stdio: ["ignore", "pipe", "ignore"] })
      expect(readFileSync(`/proc/${child.pid}/cmdline`, "utf8")).toBe("sleep\x0030\x00")
      expect(readFileSync(`/proc/${child.pid}/status`, "utf8")).toMatch(new RegExp(`^NSpid:\\s+${child.pid}\\s+2$`, "m"))
      child.kill("SIGKILL")
      await child.result
      const result = await run(sh("echo $$"))
      expect(result.stdout.trim()).toBe("2")
      const loose = await run(sh("echo $$"), { containment: "process-group" })
      expect(loose.stdout.trim()).toBe(String(loose.pid))
    })

    it("run() passes exactly the environment asked for", async () => {
      const result = await run(["/usr/bin/env"], { env: { ONLY: "this", EMPTY: "" } })
      expect(result.stdout).toBe("ONLY=this\nEMPTY=\n")
    })

    // A name POSIX allows and child_process passes on; an assignment to it in a copy would set the copy's prototype.
    it("run() passes a variable named __proto__ asked for", async () => {
      const result = await run(["/usr/bin/env"], { env: JSON.parse('{"__proto__":"x","A":"1"}') as Record<string, string> })
      expect(result.stdout).toBe("__proto__=x\nA=1\n")
    })

    it("run() passes the supervisor's environment when env is omitted, as it is at each spawn", async () => {
      adapter.setEnv("KAKOI_TEST_MARKER", "inherited")
      const result = await run(["/usr/bin/env"])
      expect(result.stdout).toContain("KAKOI_TEST_MARKER=inherited\n")
      adapter.setEnv("KAKOI_TEST_MARKER", "changed")
      expect((await run(["/usr/bin/env"])).stdout).toContain("KAKOI_TEST_MARKER=changed\n")
    })

    it("run() gives no child a variable removed since the last spawn, even when another took its place", async () => {
      adapter.setEnv("KAKOI_TEST_SECRET", "hunter2")
      expect((await run(["/usr/bin/env"])).stdout).toContain("KAKOI_TEST_SECRET=hunter2\n")
      adapter.unsetEnv("KAKOI_TEST_SECRET")
      expect((await run(["/usr/bin/env"])).stdout).not.toContain("KAKOI_TEST_SECRET")
      // As many variables as before, one swapped for another: the snapshot must still be new.
      adapter.setEnv("KAKOI_TEST_SECRET", "hunter2")
      await run(["true"])
      adapter.unsetEnv("KAKOI_TEST_SECRET")
      adapter.setEnv("KAKOI_TEST_OTHER", "hunter2")
      const swapped = (await run(["/usr/bin/env"])).stdout
      adapter.unsetEnv("KAKOI_TEST_OTHER")
      expect([swapped.includes("KAKOI_TEST_SECRET"), swapped.includes("KAKOI_TEST_OTHER=hunter2\n")]).toEqual([false, true])
    })

    it("run() gives each child the supervisor's environment as it is then, a value set back to an old one included", async () => {
      const marker = async (): Promise<string | undefined> => /^KAKOI_TEST_BACK=(.*)$/m.exec((await run(["/usr/bin/env"])).stdout)?.[1]
      const seen: Array<string | undefined> = []
      // The same lengths each time, and a value that comes back (glibc hands its old string out again).
      for (const value of ["aa", "bb", "aa", "aa", undefined, "aa", "cc"]) {
        if (value === undefined) adapter.unsetEnv("KAKOI_TEST_BACK")
        else adapter.setEnv("KAKOI_TEST_BACK", value)
        seen.push(await marker())
      }
      adapter.unsetEnv("KAKOI_TEST_BACK")
      expect(seen).toEqual(["aa", "bb", "aa", "aa", undefined, "aa", "cc"])
    })

    it("run() pipes stdin through", async () => {
      const result = await run(["cat"], { input: "through the fence\n" })
      expect(result.stdout).toBe("through the fence\n")
    })

    it("leaks no file descriptor into the target", async () => {
      const result = await run(["ls", "/proc/self/fd"])
      // 0-2 are stdio, 3 is ls's own handle on the directory it lists.
      expect(result.stdout.split("\n").filter(Boolean)).toEqual(["0", "1", "2", "3"])
    })

    it("the target itself holds exactly fds 0, 1 and 2 after exec (the control channel closed at exec)", async () => {
      const result = await run(sh("ls /proc/$$/fd"))
      expect(result.stdout).toBe("0\n1\n2\n")
    })

    it("keeps stdio open across exec (runtimes mark 0-2 close-on-exec)", async () => {
      const result = await run(sh("echo to-out; echo to-err >&2"))
      expect([result.stdout, result.stderr]).toEqual(["to-out\n", "to-err\n"])
    })

    it("resets ignored signals and the signal mask", async () => {
      const result = await run(["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"])
      expect(result.stdout).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")
    })

    it("runs in the requested working directory", async () => {
      const result = await run(["pwd"], { cwd: "/usr/share" })
      expect(result.stdout).toBe("/usr/share\n")
    })

    it("reports an exit by signal as data", async () => {
      const result = await run(sh("kill -TERM $$"))
      expect(result).toMatchObject({ exitCode: undefined, signal: "SIGTERM" })
    })

    it("reports a non-zero exit as data, never as a rejection", async () => {
      const result = await run(sh("exit 42"))
      expect(result).toMatchObject({ exitCode: 42, signal: undefined })
      expect(result.durationMs).toBeGreaterThanOrEqual(0)
    })

    it("rejects a command that does not exist with a typed error", async () => {
      await expect(run(["kakoi-no-such-command"])).rejects.toMatchObject({
        _tag: "SpawnError",
        reason: "CommandNotFound",
        message: "Command not found: kakoi-no-such-command"
      })
    })

    it("rejects a file that is not executable", async () => {
      const path = fileWithMode("#!/bin/sh\n", 0o644)
      await expect(run([path])).rejects.toMatchObject({ reason: "PermissionDenied", message: `Permission denied: ${path}` })
    })

    it("rejects a file that is not a program", async () => {
      const path = fileWithMode("\x7fELF garbage", 0o755)
      await expect(run([path])).rejects.toMatchObject({
        reason: "ExecFailed",
        errno: 8,
        message: `Command failed to start with ENOEXEC (Exec format error): ${path}`
      })
    })

    it("rejects a missing working directory before the target runs", async () => {
      await expect(run(["true"], { cwd: "/kakoi/no/such/dir" })).rejects.toMatchObject({
        reason: "PreExecFailed",
        message: 'Could not prepare the child (cannot change directory to "/kakoi/no/such/dir": ENOENT (No such file or directory)): true'
      })
    })

    it("rejects argv and env strings with a NUL byte instead of cutting them short", async () => {
      await expect(run(["echo", "a\0b"])).rejects.toMatchObject({
        _tag: "SpawnError",
        reason: "InvalidSpec",
        message: "Invalid child spec: argv[1] contains a NUL byte, which would cut it short: remove it"
      })
      await expect(run(["true"], { env: { KEY: "x\0y" } })).rejects.toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
    })

    it("rejects an env given as a Map (read as an object it holds no variable) and starts nothing", async () => {
      const marker = join(mkdtempSync(join(tmpdir(), "kakoi-env-map-")), "ran")
      await expect(run(["sh", "-c", `: > ${marker}`], { env: new Map([["PATH", "/usr/bin:/bin"]]) as never })).rejects.toMatchObject({
        _tag: "SpawnError",
        reason: "InvalidSpec",
        path: "env",
        message: "Invalid child spec at env: Expected a plain object of variable names to values, got a Map (for a Map: Object.fromEntries(map))"
      })
      expect(existsSync(marker)).toBe(false)
    })

    it("takes env: process.env as the variables it holds (Node's process.env has a prototype of its own)", async () => {
      process.env.KAKOI_ENV_PROBE = "from process.env"
      try {
        const { stdout } = await run(["sh", "-c", "echo \"$KAKOI_ENV_PROBE\""], { env: process.env })
        expect(stdout).toBe("from process.env\n")
      } finally {
        delete process.env.KAKOI_ENV_PROBE
      }
    })

    it("passes an env's enumerable variables only, as the runtimes' own spawn does (a hidden field is no variable)", async () => {
      const env: Record<string, string> = { PATH: "/usr/bin:/bin", SHOWN: "1" }
      Object.defineProperty(env, "HIDDEN", { value: "2", enumerable: false })
      const { stdout } = await run(["env"], { env })
      expect(stdout.split("\n").filter((line) => line !== "").sort()).toEqual(["PATH=/usr/bin:/bin", "SHOWN=1"])
    })

    it("rejects an empty command", async () => {
      await expect(run([])).rejects.toMatchObject({ reason: "InvalidSpec" })
    })

    it("starts many children at once, each with its own outcome", async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          index % 4 === 3
            ? run(["true"], { cwd: `/kakoi/no/dir/${index}` }).then(() => "started", (error: { readonly message: string }) => error.message)
            : run(sh(`echo ${index}; exit ${index}`)).then((result) => `${result.stdout.trim()}/${result.exitCode}`))
      )
      expect(outcomes).toEqual(Array.from({ length: 12 }, (_, index) =>
        index % 4 === 3
          ? `Could not prepare the child (cannot change directory to "/kakoi/no/dir/${index}": ENOENT (No such file or directory)): true`
          : `${index}/${index}`))
    })

    it("spawn() returns a handle whose kill() ends the target", async () => {
      const child = await spawn(["sleep", "30"])
      expect(child.kill("SIGTERM")).toBe(true)
      await expect(child.result).resolves.toMatchObject({ pid: child.pid, exitCode: undefined, signal: "SIGTERM", command: "sleep 30" })
      expect(child.kill("SIGTERM")).toBe(false)
    })

    it("spawn() streams stdout while the child runs", async () => {
      const child = await spawn(["cat"])
      const echoed = streams.firstChunk(child)
      await streams.write(child, "ping\n")
      expect(await echoed).toBe("ping\n")
      await streams.end(child)
      await expect(child.result).resolves.toMatchObject({ exitCode: 0 })
    })
  })
}
