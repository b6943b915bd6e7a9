// `npm run check:docs`: the docs as a checked contract. Two checks, over every
// source file and the README unless paths are given:
//  1. every ```ts block in a doc comment (and in Markdown) type-checks with
//     `deno check --doc-only`, importing kakoi by the specifiers users import
//     (`kakoi`, `kakoi/seccomp`, ...: see scripts/deno-imports.mjs);
//  2. every public export (reachable from deno.json's exports, as `deno doc`
//     sees them) has a doc comment with an @example.
// `--each` checks the files one at a time and lists the failing ones (slow: a
// deno check per file), for finding what is left; CI runs the single pass.
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { kakoiImports } from "./deno-imports.mjs"

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "")
const args = process.argv.slice(2)
const each = args.includes("--each")
const given = args.filter((arg) => arg !== "--each")

// The package's sources: not the tests, benchmarks, examples (programs, checked by tsc) or these scripts.
const sources = () =>
  execFileSync("git", ["ls-files", "*.ts", "README.md"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((path) => path !== "" && !/^(test|bench|examples|scripts)\//.test(path))

const paths = given.length > 0 ? given : sources()
const work = mkdtempSync(join(tmpdir(), "kakoi-docs-"))
const importMap = join(work, "import-map.json")
writeFileSync(importMap, JSON.stringify({ imports: kakoiImports(root) }))

// The Bun adapter's code uses Bun's globals: its examples are checked with @types/bun added to
// deno.json's compiler options. That config must sit in the checkout (for node_modules and the
// package.json deno reads there); it is removed again below.
const isBun = (path) => path.startsWith("adapters/bun/")
const bunConfig = join(root, ".check-docs-bun.json")
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"))
writeFileSync(bunConfig, JSON.stringify({
  nodeModulesDir: "manual",
  compilerOptions: { ...denoJson.compilerOptions, types: ["npm:@types/bun"] }
}))

// deno check's own output goes to the terminal; the exit status says whether it passed.
const denoCheckWith = (config, files, stdio) =>
  files.length === 0
    ? { status: 0, stdout: "", stderr: "" }
    : spawnSync("deno", ["check", "--quiet", "--doc-only", ...config, "--import-map", importMap, ...files], { cwd: root, stdio, encoding: "utf8" })
const denoCheck = (files, stdio) => {
  const bun = denoCheckWith(["--config", bunConfig], files.filter(isBun), stdio)
  const rest = denoCheckWith([], files.filter((path) => !isBun(path)), stdio)
  return bun.status !== 0 ? bun : rest
}

const checkExamples = () => {
  if (!each) return denoCheck(paths, "inherit").status === 0 ? [] : ["examples: deno check --doc-only failed (above)"]
  const failing = []
  // A file without a code block has nothing to check: no deno run for it.
  for (const path of paths.filter((path) => readFileSync(join(root, path), "utf8").includes("```"))) {
    const { status, stdout, stderr } = denoCheck([path], "pipe")
    if (status === 0) continue
    const output = `${stdout}${stderr}`
    const errors = (output.match(/\[ERROR\]|SyntaxError/g) ?? []).length
    failing.push(path)
    console.error(`FAIL ${path}: ${errors} error${errors === 1 ? "" : "s"}`)
  }
  return failing.length === 0 ? [] : [`examples: ${failing.length} of ${paths.length} files fail:\n  ${failing.join("\n  ")}`]
}

// deno doc lists each entry's symbols; a symbol exported again by a later entry is a
// "reference" to where it was first listed, so references are followed to that declaration.
const checkPublicExamples = () => {
  const entries = Object.values(denoJson.exports)
  const doc = spawnSync("deno", ["doc", "--json", ...entries], { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 })
  if (doc.status !== 0) return [`public exports: deno doc failed:\n${doc.stderr}`]
  const where = ({ filename, line }) => `${relative(root, fileURLToPath(filename))}:${line}`
  const hasExample = (declaration) => (declaration.jsDoc?.tags ?? []).some((tag) => tag.kind === "example")
  const symbols = Object.values(JSON.parse(doc.stdout).nodes).flatMap((node) => node.symbols ?? [])
  const documented = new Set(symbols.flatMap((symbol) =>
    symbol.declarations.some(hasExample) ? symbol.declarations.map((declaration) => where(declaration.location)) : []
  ))
  const missing = new Map()
  for (const symbol of symbols) {
    // Types an export mentions but does not export ("private" to deno doc) are not public.
    if (symbol.declarations.every((declaration) => declaration.declarationKind === "private")) continue
    const own = symbol.declarations.filter((declaration) => declaration.kind !== "reference")
    const targets = symbol.declarations.filter((declaration) => declaration.kind === "reference").map((d) => where(d.def.target))
    if (own.some(hasExample) || targets.some((target) => documented.has(target))) continue
    const at = own.length > 0 ? where(own[0].location) : (targets[0] ?? where(symbol.declarations[0].location))
    missing.set(at, symbol.name)
  }
  const inScope = [...missing].filter(([at]) => given.length === 0 || given.includes(at.slice(0, at.lastIndexOf(":"))))
  return inScope.length === 0
    ? []
    : [`public exports without an @example (${inScope.length}):\n  ${inScope.sort().map(([at, name]) => `${at} ${name}`).join("\n  ")}`]
}

try {
  const problems = [...checkExamples(), ...checkPublicExamples()]
  if (problems.length > 0) {
    console.error(`check:docs: ${problems.join("\n")}`)
    process.exitCode = 1
  } else console.log(`check:docs: ${paths.length} files, every example type-checks and every public export has one`)
} finally {
  rmSync(work, { recursive: true, force: true })
  rmSync(bunConfig, { force: true })
}
