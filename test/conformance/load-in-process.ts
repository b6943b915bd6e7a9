/** loadPolicy() filters the whole running program, its worker pool included (TSYNC); for any adapter. */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/** The fixture: loads a mkdir-denying policy into itself; argv `<runtime> <directory>`. */
export const loadFixture: string = fileURLToPath(new URL("../fixtures/load-in-process.ts", import.meta.url))

/** Registers the suite; `program(directory)` is the argv that runs `loadFixture` in the runtime under test. */
export const loadInProcessSuite = (runtime: string, program: (directory: string) => ReadonlyArray<string>): void => {
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
  })
}
