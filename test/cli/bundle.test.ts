/**
 * The shipped CLI bundles (scripts/build-cli.ts): the same sources give the
 * same bytes wherever they are built, so what ships is what the sources say;
 * and a subcommand loads its own bundle only, nothing else of kakoi.
 */
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { inject } from "vitest"
import { bin } from "./kakoi.ts"

const root = join(import.meta.dirname, "../..")
const build = inject("kakoiBuild")
const elsewhere = mkdtempSync(join(tmpdir(), "kakoi-bundle-"))
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }))

const files = (folder: string): Array<string> => readdirSync(folder).sort()

describe("the CLI bundles", () => {
  it("are the same bytes when built again from a copy of the sources in another folder", () => {
    const copy = join(elsewhere, "checkout")
    for (const part of ["cli", "core", "plugins", "adapters", "scripts", "package.json"]) cpSync(join(root, part), join(copy, part), { recursive: true })
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"))
    const rebuilt = spawnSync(join(root, "node_modules/.bin/bun"), [join(copy, "scripts/build-cli.ts"), join(copy, "out")], { encoding: "utf8" })
    expect(rebuilt.stderr).toBe("")
    expect(rebuilt.status).toBe(0)

    const shipped = files(join(build, "cli"))
    expect(files(join(copy, "out/cli"))).toEqual(shipped)
    expect(shipped).toEqual(["bin.js", "doctor.js", "effect-commands.js", "learn.js", "run.js", "supervise.js"])
    for (const file of shipped) {
      const bytes = readFileSync(join(build, "cli", file))
      expect(readFileSync(join(copy, "out/cli", file)).equals(bytes), file).toBe(true)
      // Nothing of the machine that built it: no absolute path of the checkout or the output.
      expect(bytes.includes(root), file).toBe(false)
      expect(bytes.includes(build), file).toBe(false)
    }
  })

  // A load hook logs every file Node loads: kakoi's must be the dispatcher and that subcommand's bundle, the rest koffi.
  const loaded = (args: ReadonlyArray<string>): { readonly kakoi: Array<string>; readonly others: Array<string> } => {
    const log = join(elsewhere, `loads-${args[0]}.txt`)
    const hook = `import { registerHooks } from "node:module"; import { appendFileSync } from "node:fs";
      registerHooks({ load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context) } })`
    const result = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(hook)}`, bin, ...args], { encoding: "utf8" })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const urls = readFileSync(log, "utf8").split("\n").filter((url) => url.startsWith("file:"))
    const prefix = `${pathToFileURL(build).href}/`
    return { kakoi: urls.filter((url) => url.startsWith(prefix)).map((url) => url.slice(prefix.length)), others: urls.filter((url) => !url.startsWith(prefix)) }
  }

  it("load only the dispatcher and the subcommand's own bundle, and koffi for the FFI", () => {
    const run = loaded(["run", "--", "/bin/true"])
    expect(run.kakoi).toEqual(["cli/bin.js", "cli/run.js"])
    expect(run.others.length).toBeGreaterThan(0)
    expect(run.others.filter((url) => !/\/node_modules\/(koffi|@koromix\/koffi-[\w-]+)\//.test(url))).toEqual([])
    expect(loaded(["--version"])).toEqual({ kakoi: ["cli/bin.js"], others: [] })
  })
})
