/**
 * adapters/node/koffi-load.ts: koffi's native module loaded straight from its
 * prebuilt package, without running koffi's entry, is a working koffi of the
 * package's version; a koffi the process loaded already is the one used; and
 * where the prebuilt package is not beside koffi, koffi's entry loads it.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { loadKoffi } from "../../adapters/node/koffi-load.ts"

const root = join(import.meta.dirname, "../..")
const koffiVersion = (createRequire(import.meta.url)("../../node_modules/koffi/package.json") as { version: string }).version
const elsewhere = mkdtempSync(join(tmpdir(), "kakoi-koffi-"))
afterAll(() => rmSync(elsewhere, { recursive: true, force: true }))

/** Runs `script` (an ES module with loadKoffi imported) in a fresh Node and returns what it printed. */
const inFreshNode = (script: string): string => {
  const loader = pathToFileURL(join(root, "adapters/node/koffi-load.ts")).href
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", `import { loadKoffi } from ${JSON.stringify(loader)}\n${script}`], { encoding: "utf8", cwd: root })
  expect(result.stderr).toBe("")
  return result.stdout.trim()
}

describe("loadKoffi", () => {
  it("loads koffi's native module without running koffi's entry, and it works", () => {
    const printed = inFreshNode(`
      import { createRequire } from "node:module"
      const require = createRequire(${JSON.stringify(join(root, "package.json"))})
      const koffi = loadKoffi(${JSON.stringify(join(root, "adapters/node/native.ts"))})
      const strlen = koffi.load("libc.so.6").func("strlen", "size_t", ["const char *"])
      console.log(JSON.stringify({ entryRan: require.cache[require.resolve("koffi")] !== undefined, version: koffi.version, length: strlen("kakoi") }))`)
    expect(JSON.parse(printed)).toEqual({ entryRan: false, version: koffiVersion, length: 5 })
  })

  it("uses the koffi the process has loaded already", () => {
    const fromEntry = createRequire(import.meta.url)("koffi") as typeof import("koffi")
    expect(loadKoffi(import.meta.url)).toBe(fromEntry)
  })

  it("uses the koffi the process has loaded already where node_modules is a symlink (pnpm, a linked checkout)", () => {
    mkdirSync(join(elsewhere, "linked"))
    symlinkSync(realpathSync(join(root, "node_modules")), join(elsewhere, "linked/node_modules"))
    const main = join(elsewhere, "linked/main.js")
    const printed = inFreshNode(`
      import { createRequire } from "node:module"
      const koffi = createRequire(${JSON.stringify(main)})("koffi")
      console.log(JSON.stringify({ same: loadKoffi(${JSON.stringify(main)}) === koffi }))`)
    expect(JSON.parse(printed)).toEqual({ same: true })
  })

  it("goes through koffi's entry where koffi's prebuilt package is not beside it", () => {
    // A project with a koffi (an entry that hands out the real one) and no @koromix package beside it.
    const koffiDir = join(elsewhere, "project/node_modules/koffi")
    mkdirSync(koffiDir, { recursive: true })
    writeFileSync(join(koffiDir, "package.json"), JSON.stringify({ name: "koffi", version: koffiVersion, main: "index.cjs" }))
    writeFileSync(join(koffiDir, "index.cjs"), `module.exports = { ...require(${JSON.stringify(join(root, "node_modules/koffi"))}), standIn: true }\n`)
    const printed = inFreshNode(`
      const koffi = loadKoffi(${JSON.stringify(join(elsewhere, "project/main.js"))})
      console.log(JSON.stringify({ standIn: koffi.standIn === true, length: koffi.load("libc.so.6").func("strlen", "size_t", ["const char *"])("ffi") }))`)
    expect(JSON.parse(printed)).toEqual({ standIn: true, length: 3 })
  })
})
