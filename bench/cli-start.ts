/**
 * Start-up of the `kakoi` command: `kakoi run -- /bin/true` (and with an errno
 * policy) to its exit, against `node -e 0` (the baseline: Node starting and
 * doing nothing) and `bwrap --ro-bind / / /bin/true` (another program that
 * fences a command), each a fresh process, interleaved, in the same run. The
 * kakoi measured is the shipped bundle (dist/cli/bin.js as `npm run build`
 * makes it, built here into bench/.build by the same scripts, code caches and all); for scale, also
 * the CLI run from source (`node cli/bin.ts`, ~450 modules) and any other
 * build named in KAKOI_BEFORE (e.g. an older dist/cli/bin.js). Then each
 * one's peak RSS (GNU time's %M), median of the same number of runs.
 *
 * Run: node bench/cli-start.ts [runs=30]; needs bwrap (bubblewrap) and
 * /usr/bin/time (time), e.g. `apt-get install -y bubblewrap time`.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { compareFigures, machine, reportFigures, type FigureCase } from "./measure.ts"

const runs = Number(process.argv[2] ?? 30)
const root = join(import.meta.dirname, "..")
const node = process.execPath
// The installed executable execs the first node on PATH: this one, as for every other row.
process.env["PATH"] = `${dirname(node)}:${process.env["PATH"] ?? "/usr/bin:/bin"}`

for (const [program, hint] of [["bwrap", "bubblewrap"], ["/usr/bin/time", "time"]] as const) {
  if (spawnSync(program, ["--version"], { stdio: "ignore" }).error !== undefined) {
    throw new Error(`bench/cli-start.ts needs ${program}: apt-get install -y ${hint}`)
  }
}

// The same build as the package's, into a folder of the bench's own (resolving koffi from the checkout).
const build = join(root, "bench/.build")
const built = spawnSync(join(root, "node_modules/.bin/bun"), [join(root, "scripts/build-cli.ts"), build], { stdio: "inherit" })
if (built.status !== 0) throw new Error("bench/cli-start.ts: building the CLI bundle failed")
const cached = spawnSync(node, [join(root, "scripts/build-cli-cache.ts"), build], { stdio: "inherit" })
if (cached.status !== 0) throw new Error("bench/cli-start.ts: making the CLI bundles' code caches failed")

const kakoiRuns = (label: string, bin: string): Array<[string, Array<string>]> => [
  [`${label} run -- /bin/true`, [node, bin, "run", "--", "/bin/true"]],
  [`${label} run --errno EPERM:mkdir -- /bin/true`, [node, bin, "run", "--errno", "EPERM:mkdir", "--", "/bin/true"]]
]

const before = process.env["KAKOI_BEFORE"]
if (before !== undefined && !existsSync(before)) throw new Error(`KAKOI_BEFORE=${before}: no such file`)
const commands: Array<[string, Array<string>]> = [
  ["node -e 0 (baseline)", [node, "-e", "0"]],
  ...kakoiRuns("kakoi (bundle)", join(build, "cli/bin.js")),
  // As the installed command starts: the kernel runs bin.js's shell lines, which exec node.
  ["kakoi run -- /bin/true as the installed executable (/bin/sh first)", [join(build, "cli/bin.js"), "run", "--", "/bin/true"]],
  ["bwrap --ro-bind / / /bin/true", ["bwrap", "--ro-bind", "/", "/", "/bin/true"]],
  ["kakoi --version (bundle: dispatch only)", [node, join(build, "cli/bin.js"), "--version"]],
  ...kakoiRuns("node cli/bin.ts (source)", join(root, "cli/bin.ts")),
  ...(before === undefined ? [] : kakoiRuns(`KAKOI_BEFORE`, before))
]

/** Runs `argv` to its exit (stdio ignored; exit status 0 required) and returns the wall time in ms. */
const wall = (argv: ReadonlyArray<string>): number => {
  const [command = "", ...args] = argv
  const started = performance.now()
  const result = spawnSync(command, args, { stdio: "ignore" })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${argv.join(" ")} exited with ${result.status ?? result.signal}`)
  return ms
}

/** Runs `argv` under GNU time and returns its peak RSS in MiB. */
const peakRss = (argv: ReadonlyArray<string>): number => {
  const result = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" })
  const kib = Number(result.stderr.trim().split("\n").at(-1))
  if (result.status !== 0 || !Number.isFinite(kib)) throw new Error(`${argv.join(" ")} under time: ${result.stderr}`)
  return kib / 1024
}

const cases = (figure: (argv: ReadonlyArray<string>) => number): Array<FigureCase> =>
  commands.map(([label, argv]) => ({ label, task: async () => figure(argv) }))

reportFigures(`CLI start, wall time to exit, median of ${runs} (${machine()})`, "ms", await compareFigures(cases(wall), runs, 3))
reportFigures(`CLI start, peak RSS, median of ${runs}`, "MiB", await compareFigures(cases(peakRss), runs, 1), 1)
