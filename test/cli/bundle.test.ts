/**
 * The shipped CLI bundles (scripts/build-cli.ts): the same sources give the
 * same bytes wherever they are built, so what ships is what the sources say;
 * a subcommand loads its own bundle only, nothing else of kakoi; and each
 * bundle's code cache is taken, but never one made from other bytes.
 */
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { inject } from "vitest"
import { compileBundle } from "../../cli/bundle-loader.ts"
import { cliBundles } from "../../scripts/cli-bundles.ts"
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

    const shipped = files(join(build, "cli")).filter((file) => !file.endsWith(".cache"))
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

  // strace lists every file the process opens: kakoi's must be the dispatcher and that subcommand's bundle and cache.
  const opened = (args: ReadonlyArray<string>): { readonly kakoi: Array<string>; readonly others: Array<string> } => {
    const log = join(elsewhere, `opens-${args[0]}.txt`)
    const result = spawnSync("strace", ["-f", "-qq", "-e", "trace=openat", "-e", "status=successful", "-o", log, process.execPath, bin, ...args], { encoding: "utf8" })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    // koffi is opened by its real path (as Node keys its module cache): node_modules may be a link out of the checkout.
    const modules = realpathSync(join(root, "node_modules"))
    const inCheckout = [...readFileSync(log, "utf8").matchAll(/openat\(AT_FDCWD, "([^"]+)"/g)]
      .map(([, path = ""]) => (path.startsWith(`${modules}/`) ? join(root, "node_modules", path.slice(modules.length + 1)) : path))
      .filter((path) => path.startsWith(`${root}/`))
    const unique = [...new Set(inCheckout)].sort()
    return { kakoi: unique.filter((path) => path.startsWith(`${build}/`)).map((path) => path.slice(build.length + 1)), others: unique.filter((path) => !path.startsWith(`${build}/`)).map((path) => path.slice(root.length + 1)) }
  }

  it("load only the dispatcher and the subcommand's own bundle and code cache, and koffi for the FFI", () => {
    const run = opened(["run", "--", "/bin/true"])
    expect(run.kakoi).toEqual(["cli/bin.js", "cli/run.js", "cli/run.js.cache"])
    // Node itself, package.json files read to resolve `kakoi` and koffi, and koffi's native module.
    expect(run.others.filter((path) => !/^(package\.json|node_modules\/(node\/bin\/node|koffi\/package\.json|@koromix\/koffi-[\w-]+\/.+\.node))$/.test(path))).toEqual([])
    expect(run.others.some((path) => path.endsWith("koffi.node"))).toBe(true)
    expect(opened(["--version"]).kakoi).toEqual(["cli/bin.js"])
  })

  it("take the code caches the build made, for the bundles the dispatcher loads", () => {
    const bundles = cliBundles(join(build, "cli"))
    expect(bundles.map(({ name }) => name)).toEqual(["run", "learn", "effect-commands", "supervise", "doctor"])
    for (const { path, digest } of bundles) expect(compileBundle(path, digest).cached, path).toBe(true)
  })

  it("compile without a cache made from other bytes, and still run", () => {
    const copy = join(elsewhere, "stale")
    cpSync(join(build, "cli"), join(copy, "cli"), { recursive: true })
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"))
    const [run] = cliBundles(join(copy, "cli"))
    if (run === undefined) throw new Error("no run bundle")
    // A cache left by another build: its digest is not the one the dispatcher holds for run.js.
    const cache = readFileSync(`${run.path}.cache`)
    cache[0] = (cache[0] ?? 0) ^ 0xff
    writeFileSync(`${run.path}.cache`, cache)
    expect(compileBundle(run.path, run.digest).cached).toBe(false)
    const result = spawnSync(process.execPath, [join(copy, "cli/bin.js"), "run", "--errno", "EPERM:mkdir,mkdirat", "--", "mkdir", join(copy, "made")], { encoding: "utf8" })
    expect(result.stderr).toMatch(/Operation not permitted/)
    expect(result.status).toBe(1)
  })
})
