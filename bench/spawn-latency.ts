/**
 * Cold sandboxed spawn latency in the runtime running this file (Node, Deno or
 * Bun): how long until `/bin/true` has run and exited, started by kakoi's
 * `run()` (the root entry, which picks the runtime's adapter; clone into the
 * child program → execve, no runtime in the child) and by the runtime's own
 * plain spawn (`child_process.spawn`, `Deno.Command().spawn()`, `Bun.spawn`),
 * interleaved in the same process. Runtime boots are there for scale: what
 * the runtime launcher used to cost on every spawn.
 *
 * Every case ignores the child's stdio, as plain spawn does here.
 *
 * Then the same spawns again after `steady` more rounds of them: by then the
 * JavaScript on kakoi's spawn path (and the runtime's own spawn wrapper) has
 * been run often enough for the JIT to compile it (V8 and JavaScriptCore tier
 * code up by how often it runs), as in a supervisor that has been starting
 * children for a while; the first table is the first spawns of a process.
 *
 * Run (default 50 runs after 5 warm-up rounds, then 50 after 1000 more):
 *   node bench/spawn-latency.ts [runs] [steady]
 *   deno run -A bench/spawn-latency.ts [runs] [steady]
 *   bun bench/spawn-latency.ts [runs] [steady]
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { layer, policy, run, seccomp } from "../mod.ts"
import { compile } from "../plugins/seccomp/mod.ts"
import { buildC } from "../test/helpers/build-c.ts"
import { compareFigures, machine, reportFigures, timed, type Case, type FigureCase } from "./measure.ts"
import { execPath, plainSpawn, plainSpawnName, runtime, type RuntimeName } from "./runtime.ts"

const runs = Number(process.argv[2] ?? 50)
const warmup = 5
const steadyRounds = Number(process.argv[3] ?? 1000)
const target = "/bin/true"

/** The runtime started with nothing to run, labelled as a command line. */
const boots: Record<RuntimeName, ReadonlyArray<ReadonlyArray<string>>> = {
  node: [["-e", ""], ["--no-warnings", "--input-type=module-typescript", "-e", ""]],
  deno: [["eval", "--no-config", "--no-lock", "--quiet", ""]],
  bun: [["-e", "0"]]
}
const quoted = (args: ReadonlyArray<string>): string => args.map((arg) => (arg === "" ? `""` : arg)).join(" ")

const kakoi = async (options: Parameters<typeof run>[1]): Promise<void> => {
  const result = await run([target], { ...options, stdio: "ignore" })
  if (result.exitCode !== 0) throw new Error(`kakoi run ${target} ended with ${result.signal ?? `exit code ${result.exitCode}`}`)
}

const errnoPolicy = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] })
// Compiled at the first spawn (a warm-up run) and cached, as in a long-lived supervisor.
const fence = seccomp(errnoPolicy)

/**
 * The C reference (spawn-reference.c): the system calls kakoi's child program makes, from C, with the same
 * filter (compiled here as the fence compiles it), timed by the C process itself from the clone to the reap.
 */
const reference = async (): Promise<{ readonly spawn: (letter: "g" | "n") => Promise<number>; readonly close: () => void }> => {
  const { bpf } = await Effect.runPromise(Effect.provide(compile(errnoPolicy), layer))
  const filterFile = join(mkdtempSync(join(tmpdir(), "kakoi-bench-")), "errno.bpf")
  writeFileSync(filterFile, bpf)
  const helper = spawn(buildC(fileURLToPath(new URL("spawn-reference.c", import.meta.url))), [filterFile], { stdio: ["pipe", "pipe", "inherit"] })
  const waiting: Array<(ms: number) => void> = []
  let text = ""
  helper.stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString()
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n")) {
      waiting.shift()?.(Number(text.slice(0, end)))
      text = text.slice(end + 1)
    }
  })
  const ended = new Promise<never>((_, reject) => helper.once("exit", (code) => reject(new Error(`spawn-reference ended with exit code ${code}`))))
  ended.catch(() => {})
  return {
    spawn: (letter) => Promise.race([new Promise<number>((resolve) => (waiting.push(resolve), helper.stdin.write(letter))), ended]),
    // At end of input the helper exits.
    close: () => helper.stdin.end()
  }
}
const referenceHelper = await reference()
/** bwrap, when installed: the same kind of containment (pid and mount namespace, a fresh /proc), no seccomp, no Landlock. */
const bwrap = ["/usr/bin/bwrap", "--unshare-pid", "--dev-bind", "/", "/", "--proc", "/proc", target]

const baseline: Case = { label: `${plainSpawnName} ${target}`, task: () => plainSpawn([target]) }
// Each at the default containment ("namespaces": a pid namespace and its init, a Landlock domain) and at
// "process-group" (no namespace: the child execs the target itself).
const spawns: ReadonlyArray<Case> = [
  baseline,
  { label: `kakoi run ${target}, no plugins`, task: () => kakoi({}) },
  { label: `kakoi run ${target}, seccomp errno mkdir/mkdirat`, task: () => kakoi({ plugins: [fence] }) },
  { label: `kakoi run ${target}, no plugins, containment "process-group"`, task: () => kakoi({ containment: "process-group" }) },
  { label: `kakoi run ${target}, seccomp errno mkdir/mkdirat, containment "process-group"`, task: () => kakoi({ plugins: [fence], containment: "process-group" }) }
]
// Timed in rounds of their own: a case run right after a runtime boot is slower (the boot leaves the CPU's caches
// cold), and in one round only the case after the boot would pay for it.
const bootCases = boots[runtime].map((args): Case => ({ label: `runtime boot: ${runtime} ${quoted(args)}`, task: () => plainSpawn([execPath, ...args]) }))

const peers: ReadonlyArray<FigureCase> = [
  { label: `C reference: kakoi's system calls from C, errno filter, containment "namespaces"`, task: () => referenceHelper.spawn("n") },
  { label: `C reference: kakoi's system calls from C, errno filter, containment "process-group"`, task: () => referenceHelper.spawn("g") },
  ...(existsSync(bwrap[0] ?? "") ? [timed({ label: `${plainSpawnName} ${bwrap.join(" ")} (no seccomp)`, task: () => plainSpawn(bwrap) })] : [])
]
if (peers.length < 3) console.log(`(no ${bwrap[0]}: install bubblewrap for its row)`)

const cases = [...spawns.map(timed), ...peers]
const [plain, ...kakoiRuns] = await compareFigures(cases, runs, warmup)
const bootRuns = (await compareFigures([baseline, ...bootCases].map(timed), runs, warmup)).slice(1)
// Boots are shown against the baseline's median from the spawn rounds.
reportFigures(`Cold spawn latency, median of ${runs} runs (${machine()})`, "ms", plain === undefined ? [] : [plain, ...bootRuns, ...kakoiRuns])
if (steadyRounds > 0) {
  const steady = await compareFigures(cases, runs, steadyRounds)
  reportFigures(`The same after ${steadyRounds} more rounds of them (the spawn path's JavaScript JIT-compiled, as in a supervisor that has run a while), median of ${runs} runs`, "ms", steady)
}
referenceHelper.close()
