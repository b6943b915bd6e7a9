/**
 * What a trapped syscall costs, in the runtime running this file (Node, Deno
 * or Bun), each figure timed inside the child (test/fixtures/syscall-probe.c
 * `-n COUNT`: a tight loop of one syscall, CLOCK_MONOTONIC around it), so
 * process startup is left out:
 * - round trip of one notified getppid answered "allow" (CONTINUE): a C
 *   listener (bench/notify-listener.c: poll, RECV, SEND on one thread, built
 *   here with gcc) against kakoi's loop with a plain handler and an Effect
 *   handler, µs per call;
 * - a notify policy whose rule does not match getppid (the filter runs, the
 *   listener idles) against no filter, ns per call.
 * Both sides run interleaved in the same process, so machine load hits them
 * alike. Across CPUs a round trip pays two wake-ups on another core; pin the
 * whole run to one CPU (`taskset -c 0 ...`) to see the one-CPU cost.
 *
 * Run (default 9 runs after 1 warm-up round; COUNT calls per notified loop):
 *   node bench/notify.ts [runs] [count]
 *   deno run -A bench/notify.ts [runs] [count]
 *   bun bench/notify.ts [runs] [count]
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Effect } from "effect"
import { answer, policy, run, seccomp, type NotifyHandler } from "../mod.ts"
import { buildC } from "../test/helpers/build-c.ts"
import { compareFigures, machine, reportFigures } from "./measure.ts"
import { runtimeVersion } from "./runtime.ts"

const runs = Number(process.argv[2] ?? 9)
const notified = Number(process.argv[3] ?? 5000)
/** Unnotified getppid takes ~170 ns: a million calls is a fraction of a second. */
const plain = 1_000_000
const SYS_getppid = 110

const probe = buildC(fileURLToPath(new URL("../test/fixtures/syscall-probe.c", import.meta.url)))
const listener = buildC(fileURLToPath(new URL("notify-listener.c", import.meta.url)))

/** The loop's ns per call, from the probe's "ok N" and "ns TOTAL" lines. */
const perCall = (stdout: string, count: number, label: string): number => {
  const total = /^ok \d+\nns (\d+)$/m.exec(stdout)
  if (total === null) throw new Error(`${label}: unexpected output ${JSON.stringify(stdout)}`)
  return Number(total[1]) / count
}

const loop = (count: number): Array<string> => [probe, "-n", String(count), String(SYS_getppid)]

/** A plain process (the C listener, or the probe unfiltered): ns per call. */
const direct = async (argv: ReadonlyArray<string>, count: number, label: string): Promise<number> => {
  const [command = "", ...args] = argv
  const { stdout } = await promisify(execFile)(command, args)
  return perCall(stdout, count, label)
}

/** The probe under kakoi with `plugin`: ns per call. */
const kakoi = async (plugin: ReturnType<typeof seccomp<never>>, count: number, label: string): Promise<number> => {
  const result = await run(loop(count), { plugins: [plugin] })
  if (result.exitCode !== 0) throw new Error(`${label}: ended with ${result.signal ?? `exit code ${result.exitCode}`}: ${result.stderr}`)
  return perCall(result.stdout, count, label)
}

const notifying = (syscall: string, handler: NotifyHandler) => seccomp(policy((rule) => rule.notify(handler, syscall), { default: "allow" }))
const allowPlain = notifying("getppid", () => answer.allow())
const allowEffect = notifying("getppid", () => Effect.succeed(answer.allow()))
// The rule notifies a syscall the loop never makes: getppid passes the filter, the listener stays idle.
const unmatched = notifying("mkdirat", () => answer.allow())
const errnoOnly = seccomp(policy((rule) => rule.errno("EPERM", "mkdirat"), { default: "allow" }))

const roundTrip = await compareFigures([
  { label: "C listener, CONTINUE (baseline)", task: async () => (await direct([listener, String(SYS_getppid), ...loop(notified)], notified, "C listener")) / 1000 },
  { label: `kakoi, handler answer.allow()`, task: async () => (await kakoi(allowPlain, notified, "kakoi")) / 1000 },
  { label: `kakoi, Effect handler succeed(answer.allow())`, task: async () => (await kakoi(allowEffect, notified, "kakoi Effect")) / 1000 }
], runs, 1)
reportFigures(`Notified getppid round trip, ${notified} calls per run, median of ${runs} (${machine()})`, "µs per call", roundTrip)

const overhead = await compareFigures([
  { label: "no filter (baseline)", task: () => direct(loop(plain), plain, "unfiltered") },
  { label: "kakoi, seccomp errno mkdirat (no listener)", task: () => kakoi(errnoOnly, plain, "errno policy") },
  { label: "kakoi, notify mkdirat: no rule matches", task: () => kakoi(unmatched, plain, "unmatched notify") }
], runs, 1)
reportFigures(`Unnotified getppid, ${plain} calls per run, median of ${runs} (${runtimeVersion})`, "ns per call", overhead, 1)
