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
 * Run (default 50 runs, after 5 warm-up rounds):
 *   node bench/spawn-latency.ts [runs]
 *   deno run -A bench/spawn-latency.ts [runs]
 *   bun bench/spawn-latency.ts [runs]
 */
import { policy, run, seccomp } from "../mod.ts"
import { compare, machine, report, type Case } from "./measure.ts"
import { execPath, plainSpawn, plainSpawnName, runtime, type RuntimeName } from "./runtime.ts"

const runs = Number(process.argv[2] ?? 50)
const warmup = 5
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

// Compiled at the first spawn (a warm-up run) and cached, as in a long-lived supervisor.
const fence = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))

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

const [plain, ...kakoiRuns] = await compare(spawns, runs, warmup)
const bootRuns = (await compare([baseline, ...bootCases], runs, warmup)).slice(1)
// Boots are shown against the baseline's median from the spawn rounds.
report(`Cold spawn latency, median of ${runs} runs (${machine()})`, plain === undefined ? [] : [plain, ...bootRuns, ...kakoiRuns])
