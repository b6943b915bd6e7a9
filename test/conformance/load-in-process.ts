/** loadPolicy() filters the whole running program, its worker pool included (TSYNC); for any adapter. */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/** The fixture: loads a mkdir-denying policy into itself; argv `<runtime> <directory>`. */
export const loadFixture: string = fileURLToPath(new URL("../fixtures/load-in-process.ts", import.meta.url))

/** Registers the suite; `program(directory, ...extra)` is the argv that runs `loadFixture` in the runtime under test. */
export const loadInProcessSuite = (runtime: string, program: (directory: string, ...extra: ReadonlyArray<string>) => ReadonlyArray<string>): void => {
  describe(`loadPolicy on ${runtime}`, () => {
    it("denies mkdir on the main thread and in the worker pool (fs.promises)", () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-load-"))
      const [command = "", ...args] = program(directory)
      // A throwaway process: a loaded filter cannot be removed again.
      const output = execFileSync(command, args, { encoding: "utf8" })
      expect(JSON.parse(output)).toEqual({ sync: "EPERM", pooled: "EPERM" })
      expect(existsSync(join(directory, "sync"))).toBe(false)
      expect(existsSync(join(directory, "pooled"))).toBe(false)
    })

    for (const action of ["notify", "trap"]) {
      it(`refuses a policy with a ${action} rule, pointing to trapInProcess, and loads nothing`, () => {
        const directory = mkdtempSync(join(tmpdir(), "kakoi-load-"))
        const [command = "", ...args] = program(directory, action)
        // Loaded, the rule would make the fixture's mkdir fail (ENOSYS) or kill it (SIGSYS).
        const output = JSON.parse(execFileSync(command, args, { encoding: "utf8" })) as { refused?: { tag: string; reason: string; message: string } }
        expect(output).toMatchObject({ refused: { tag: "SeccompLoadError", reason: "NeedsHandler" }, after: "created" })
        expect(output.refused?.message).toBe(
          `Cannot load the seccomp filter into this process: rules[0] ("mkdir") has the ${action} action, which nothing in this process could answer ` +
            `(${action === "trap" ? "SIGSYS cannot be handled in a JS runtime" : "every such call would fail with ENOSYS"}): ` +
            "use trapInProcess(policy, { onTrap }) to fail those calls with an errno and be told of each")
        expect(existsSync(join(directory, "after"))).toBe(true)
      })
    }
  })
}
