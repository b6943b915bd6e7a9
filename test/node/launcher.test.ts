/** The launcher, end to end on Node: what the target inherits and what it does not. */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { run, spawn } from "../../adapters/node/mod.ts"

const sh = (script: string) => ["/bin/sh", "-c", script]

const fileWithMode = (content: string, mode: number): string => {
  const path = join(mkdtempSync(join(tmpdir(), "kakoi-")), "file")
  writeFileSync(path, content)
  chmodSync(path, mode)
  return path
}

describe("launcher on Node", () => {
  it("run() keeps the pid: the spawned pid is the target's", async () => {
    const result = await run(sh("echo $$"))
    expect(result.stdout.trim()).toBe(String(result.pid))
  })

  it("run() passes exactly the environment asked for", async () => {
    const result = await run(["/usr/bin/env"], { env: { ONLY: "this", EMPTY: "" } })
    expect(result.stdout).toBe("ONLY=this\nEMPTY=\n")
  })

  it("run() passes the supervisor's environment when env is omitted", async () => {
    process.env.KAKOI_TEST_MARKER = "inherited"
    const result = await run(["/usr/bin/env"])
    expect(result.stdout).toContain("KAKOI_TEST_MARKER=inherited\n")
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

  it("keeps stdio open across exec (Node marks 0-2 close-on-exec)", async () => {
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

  it("rejects an empty command", async () => {
    await expect(run([])).rejects.toMatchObject({ reason: "InvalidSpec" })
  })

  it("spawn() returns a handle whose kill() ends the target", async () => {
    const child = await spawn(["sleep", "30"])
    expect(child.kill("SIGTERM")).toBe(true)
    await expect(child.result).resolves.toMatchObject({ pid: child.pid, signal: "SIGTERM", command: "sleep 30" })
  })

  it("spawn() streams stdout while the child runs", async () => {
    const child = await spawn(["cat"])
    const echoed = new Promise<string>((resolve) => child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString())))
    child.stdin?.write("ping\n")
    expect(await echoed).toBe("ping\n")
    child.stdin?.end()
    await expect(child.result).resolves.toMatchObject({ exitCode: 0 })
  })
})
