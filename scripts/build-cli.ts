/**
 * Builds the shipped `kakoi` command: `bun scripts/build-cli.ts OUTDIR` writes
 * OUTDIR/cli/bin.js (cli/bin.ts and main.ts: dispatch, help, errors) and one
 * bundle per module main.ts imports for a subcommand (OUTDIR/cli/run.js, ...),
 * each with everything it needs but koffi, tree-shaken and minified. Node then
 * parses two files for `kakoi run` instead of some 450 modules, and nothing of
 * the other subcommands; that is where its start-up time went (see README,
 * "The command line"). A subcommand's bundle is a CommonJS-shaped script that
 * bin.js loads with the V8 code cache scripts/build-cli-cache.ts makes for it
 * afterwards (cli/bundle-loader.ts), checked by the digest of the bundle that
 * this build writes into bin.js.
 *
 * The same sources give the same bytes (the CLI tests build twice, from two
 * places, and compare). OUTDIR is the package's dist/ (scripts/build.sh, after
 * tsc) or, for the tests, a folder of their own.
 *
 * Each bundled module still sees its own place in the package: `import.meta.url`
 * in a kakoi source is replaced by the URL that module has in OUTDIR as tsc
 * builds it (dist/plugins/sandbox/sandbox.js, ...), so paths computed from it
 * (kakoi's install directory, the trap helper beside its host, koffi resolved
 * from the package) are what they are in the rest of the package. A dynamic
 * import of Deno's or Bun's adapter (the runtime switches) stays a dynamic
 * import of that built module: the CLI runs on Node, and bundling them would
 * hoist `bun:ffi` into the bundle.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { bundleDigest } from "../cli/bundle-digest.ts"

const root = resolve(import.meta.dir, "..")
const [outArgument] = process.argv.slice(2)
if (outArgument === undefined) {
  console.error("usage: bun scripts/build-cli.ts OUTDIR")
  process.exit(2)
}
const out = resolve(outArgument)
const cliOut = join(out, "cli")

/** A source file's path in the built package, relative to the CLI bundles' folder, e.g. "../core/sibling.js". */
const builtPath = (source: string): string => relative(cliOut, join(out, relative(root, source))).replace(/\.ts$/, ".js")

/** The module main.ts imports for a subcommand, named in its `import("./run.ts")`. */
const subcommand = /^\.\/[\w-]+\.ts$/
const mainModule = join(root, "cli/main.ts")
const bundleLoader = join(root, "cli/bundle-loader.ts")
/** The name by which a subcommand's script sees its own URL (a parameter of the loader's wrapper). */
const bundleUrlName = "__kakoiBundleUrl"

/** The kakoi sources that read `import.meta.url`, as one exact-path filter (others load as Bun loads them, sideEffects hints and all). */
const placeBound = ((): RegExp => {
  const sources = new Bun.Glob("{adapters,cli,core,plugins}/**/*.{ts,js}").scanSync({ cwd: root })
  const reading = [...sources].filter((file) => readFileSync(join(root, file), "utf8").includes("import.meta.url")).sort()
  return new RegExp(`^(${reading.map((file) => RegExp.escape(join(root, file))).join("|")})$`)
})()
const otherRuntimes = [join(root, "adapters/deno/"), join(root, "adapters/bun/")]

/** What the dispatcher's build learns (the subcommands main.ts imports) and writes in (each bundle's digest, once known). */
interface Dispatcher {
  readonly subcommands: Set<string>
  readonly digests: ReadonlyMap<string, string>
}

/** The build's plugin for the dispatcher (`dispatcher` given) or for a subcommand's bundle. */
const packagePlugin = (dispatcher: Dispatcher | undefined): Bun.BunPlugin => ({
  name: "kakoi-package",
  setup(build) {
    if (dispatcher !== undefined) {
      const { subcommands, digests } = dispatcher
      build.onResolve({ filter: subcommand }, (args) => {
        if (args.importer !== mainModule || args.kind !== "dynamic-import") return undefined
        const name = args.path.slice(2, -3)
        subcommands.add(name)
        return { path: name, namespace: "kakoi-subcommand" }
      })
      // main.ts's `import("./run.ts")` becomes the exports of the run bundle, loaded with its code cache.
      build.onLoad({ filter: /^[\w-]+$/, namespace: "kakoi-subcommand" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(bundleLoader)}).loadBundle(${JSON.stringify(args.path)}, ${JSON.stringify(digests.get(args.path) ?? "")})`,
        loader: "js"
      }))
    }
    build.onResolve({ filter: /(^|\/)(deno|bun)\/[\w-]+\.ts$/ }, (args) => {
      const target = resolve(dirname(args.importer), args.path)
      if (!otherRuntimes.some((folder) => target.startsWith(folder))) return undefined
      if (args.kind !== "dynamic-import") throw new Error(`build-cli: ${relative(root, args.importer)} imports ${args.path} statically; the CLI bundles hold Node's code only`)
      return { path: builtPath(target), external: true }
    })
    build.onLoad({ filter: placeBound }, (args) => {
      // A subcommand's script learns its own place from the loader (cli/bundle-loader.ts): Bun's
      // CommonJS output replaces import.meta.url and __filename by the source's absolute path.
      const bundleUrl = dispatcher === undefined ? bundleUrlName : "import.meta.url"
      const url = `new URL(${JSON.stringify(builtPath(args.path))}, ${bundleUrl}).href`
      return { contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", url), loader: args.path.endsWith(".ts") ? "ts" : "js" }
    })
  }
})

const bundle = async (entry: string, dispatcher?: Dispatcher): Promise<void> => {
  const result = await Bun.build({
    entrypoints: [join(root, entry)],
    outdir: cliOut,
    target: "node",
    // The dispatcher is an ES module (bin.js, what npm links); a subcommand's bundle is a
    // CommonJS-shaped script, the form V8 can take a code cache for (cli/bundle-loader.ts).
    format: dispatcher === undefined ? "cjs" : "esm",
    // Identifiers too (~8 % of `kakoi run`'s start-up, measured): no kakoi code reads a function's or class's name.
    minify: true,
    external: ["koffi"],
    plugins: [packagePlugin(dispatcher)]
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error(`build-cli: bundling ${entry} failed`)
  }
  for (const output of result.outputs) {
    const code = asAscii(readFileSync(output.path, "utf8"))
    writeFileSync(output.path, dispatcher === undefined ? code : withShellStart(code))
  }
}

/**
 * The dispatcher with cli/bin.ts's first two lines (the shell script that
 * starts it, see there) in place of the bundler's one-line hashbang: the
 * minifier drops the second one, a string and a comment to JavaScript.
 */
const withShellStart = (code: string): string => {
  const start = readFileSync(join(root, "cli/bin.ts"), "utf8").split("\n").slice(0, 2)
  if (start[0] !== "#!/bin/sh" || !code.startsWith("#!")) throw new Error("build-cli: cli/bin.ts or its bundle does not start with a hashbang")
  return `${start.join("\n")}\n${code.slice(code.indexOf("\n") + 1)}`
}

/**
 * A bundle with every non-ASCII character written as its \u escape, which means
 * the same character in a string, template, regular expression or identifier:
 * the loader can then read it as Latin-1 (cli/bundle-loader.ts). No kakoi or
 * effect code reads a template's raw text, the one place an escape would show.
 */
const asAscii = (code: string): string =>
  code.replace(/[^\x00-\x7f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`)

// The dispatcher first, to learn the subcommands; then each subcommand's bundle;
// then the dispatcher again, now with the digest of each bundle written in.
const subcommands = new Set<string>()
const digests = new Map<string, string>()
await bundle("cli/bin.ts", { subcommands, digests })
if (subcommands.size === 0) throw new Error("build-cli: cli/main.ts imports no subcommand module; has its dispatch changed?")
for (const name of [...subcommands].sort()) {
  await bundle(`cli/${name}.ts`)
  digests.set(name, bundleDigest(readFileSync(join(cliOut, `${name}.js`))))
}
await bundle("cli/bin.ts", { subcommands, digests })
