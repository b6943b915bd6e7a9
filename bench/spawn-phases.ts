/**
 * Where a kakoi spawn's time goes, in the runtime running this file: `run()`
 * of `/bin/true` with an errno seccomp policy at containment "process-group"
 * (the path whose clone is CLONE_VFORK; under "namespaces" the clone returns
 * at once and the start is read on the launching thread), timed at the libc calls the
 * native launcher makes (the runtime's libc binding is the same object the
 * launcher uses, so wrapping its functions here sees every call), next to the
 * runtime's own plain spawn in the same rounds. Each phase is printed as the
 * median (and mean, which adds up) over the runs.
 *
 * Run (default 200 runs, after 10 warm-up rounds):
 *   node bench/spawn-phases.ts [runs]
 *   deno run -A bench/spawn-phases.ts [runs]
 *   bun bench/spawn-phases.ts [runs]
 */
import type { CValue, Libc } from "../core/libc.ts"
import { policy, run, seccomp } from "../mod.ts"
import { machine } from "./measure.ts"
import { plainSpawn, plainSpawnName, runtime } from "./runtime.ts"

const runs = Number(process.argv[2] ?? 200)
const warmup = 10

// A template specifier: no type checker follows it into another runtime's adapter.
const native: Record<string, () => Libc> = await import(`../adapters/${runtime}/native.ts`)
const libc = native[`${runtime}Libc`]?.()
if (libc === undefined) throw new Error(`no libc binding for ${runtime}`)

const marks = new Map<string, number>()
const mark = (name: string): void => void (marks.has(name) || marks.set(name, performance.now()))
/** Marks the first call of `name` in a run (`before`) and its return (`after`). */
const wrap = (name: keyof Libc["call"], before: string, after?: string): void => {
  const call = libc.call as Record<string, (...args: ReadonlyArray<CValue>) => number | bigint>
  const original = call[name]
  if (original === undefined) return
  call[name] = (...args) => {
    mark(before)
    const result = original(...args)
    if (after !== undefined) mark(after)
    return result
  }
}
wrap("clone", "clone", "cloned")
wrap("poll", "grace", "graced")
wrap("waitid", "waitid", "reaped")

const fence = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
/** Phase name, then the marks it runs between ("start" and "end" are the run() call and its result). */
const phases: ReadonlyArray<readonly [string, string, string]> = [
  ["run() → clone: options, preflight, lifecycle, plugin hooks, spec, stdio, program (cached) and its block", "start", "clone"],
  ["clone until the target has exec'd (CLONE_VFORK)", "clone", "cloned"],
  ["exec'd → the wait for its exit starts (lifecycle and run() setup, while the target runs)", "cloned", "grace"],
  ["the wait on the launching thread (≤ 1 ms; the target runs)", "grace", "graced"],
  ["wait over → waitid (0 unless the poll thread had to take over)", "graced", "waitid"],
  ["waitid → run() resolved: lifecycle, exit hooks, result", "reaped", "end"],
  ["total", "start", "end"]
]
const figures = phases.map((): Array<number> => [])
const baseline: Array<number> = []
let waitedOut = 0

for (let round = 0; round < warmup + runs; round++) {
  const plainStart = performance.now()
  await plainSpawn(["/bin/true"])
  const plain = performance.now() - plainStart
  marks.clear()
  marks.set("start", performance.now())
  const result = await run(["/bin/true"], { plugins: [fence], stdio: "ignore", containment: "process-group" })
  marks.set("end", performance.now())
  if (result.exitCode !== 0) throw new Error(`kakoi run /bin/true ended with ${result.signal ?? `exit code ${result.exitCode}`}`)
  if (round < warmup) continue
  baseline.push(plain)
  if ((marks.get("waitid") ?? 0) - (marks.get("graced") ?? 0) > 0.05) waitedOut++
  phases.forEach(([, from, to], index) => figures[index]?.push((marks.get(to) ?? Number.NaN) - (marks.get(from) ?? Number.NaN)))
}

const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN
const mean = (values: ReadonlyArray<number>): number => values.reduce((sum, value) => sum + value, 0) / values.length
console.log(`\nPhases of kakoi run /bin/true (errno policy, containment "process-group"), ${runs} runs (${machine()}); ${plainSpawnName} in the same rounds: median ${median(baseline).toFixed(3)} ms`)
console.log(`exits the launching thread's wait missed (the poll thread took over): ${waitedOut} of ${runs}`)
console.log("| phase | median ms | mean ms |")
console.log("|---|---:|---:|")
phases.forEach(([label], index) => console.log(`| ${label} | ${median(figures[index] ?? []).toFixed(3)} | ${mean(figures[index] ?? []).toFixed(3)} |`))
