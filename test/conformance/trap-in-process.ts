/** trapInProcess(): trapped calls in this very program fail with the errno and are reported; no deadlock; for any adapter. */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/** The fixture: traps mkdir, mkdirat and uname in itself; argv `<runtime> <directory> [reentrant|helper-dies]`. */
export const trapFixture: string = fileURLToPath(new URL("../fixtures/trap-in-process.ts", import.meta.url))

const SYS_mkdir = 83

/** Runs the fixture in a throwaway process (a loaded filter cannot be removed) and parses its JSON; a hang fails at `timeout`. */
const runFixture = (argv: ReadonlyArray<string>): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const [command = "", ...args] = argv
    execFile(command, args, { encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL" }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Record<string, unknown>))
  })

/** Registers the suite; `program(directory, mode)` is the argv that runs `trapFixture` in the runtime under test. */
export const trapInProcessSuite = (runtime: string, program: (directory: string, mode: string) => ReadonlyArray<string>): void => {
  describe(`trapInProcess on ${runtime}`, () => {
    it("fails mkdir (main thread and worker pool) and uname with the errno, and reports each with its name and args", async () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-trap-"))
      const output = await runFixture(program(directory, ""))
      expect(output).toMatchObject({
        sync: "EACCES",
        pooled: "EACCES",
        uname: 13,
        inHandler: "none",
        // The mode argument tells the two calls apart; the pooled one comes from another thread.
        mkdirs: [{ mode: "701", mainThread: true, syscall: SYS_mkdir }, { mode: "702", mainThread: false, syscall: SYS_mkdir }]
      })
      expect(output["unames"]).toBeGreaterThanOrEqual(1)
      expect(existsSync(join(directory, "sync"))).toBe(false)
      expect(existsSync(join(directory, "pooled"))).toBe(false)
    }, 30_000)

    it("does not deadlock when the handler itself makes a trapped call", async () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-trap-"))
      const output = await runFixture(program(directory, "reentrant"))
      // The handler's own mkdir failed at once and was reported too.
      expect(output).toMatchObject({ sync: "EACCES", pooled: "EACCES", inHandler: "EACCES" })
      expect(output["reports"]).toBeGreaterThanOrEqual(4)
      expect(existsSync(join(directory, "from-handler"))).toBe(false)
    }, 30_000)

    it("fails closed when the helper dies: trapped calls return ENOSYS instead of hanging", async () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-trap-"))
      const output = await runFixture(program(directory, "helper-dies"))
      expect(output).toMatchObject({ sync: "ENOSYS", pooled: "ENOSYS", uname: 38, reports: 0 })
      expect(existsSync(join(directory, "sync"))).toBe(false)
    }, 30_000)
  })
}
