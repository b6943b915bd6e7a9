/**
 * Peak memory of the supervising process with 50 children spawned at once:
 * each way runs in a fresh Node process of its own (this file, re-run with a
 * mode), which starts 50 `sleep 1` together, waits for them all, and reports
 * its peak RSS (VmHWM) and how much it grew from just before the spawns.
 *
 *   node bench/spawn-rss.ts [children=50] [rounds=3]
 */
import { execFileSync, spawn } from "node:child_process"
import { once } from "node:events"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { machine } from "./measure.ts"

const [mode, countText] = process.argv.slice(2)
const kibOf = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? Number.NaN)

const child = async (how: string, count: number): Promise<void> => {
  const { run } = await import("../adapters/node/mod.ts")
  const { policy, seccomp } = await import("../plugins/seccomp/mod.ts")
  const fence = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
  const plain = async (): Promise<void> => void (await once(spawn("sleep", ["1"], { stdio: "ignore" }), "exit"))
  const kakoi = async (): Promise<void> => void (await run(["sleep", "1"], { plugins: [fence], stdio: "ignore" }))
  // Warm both paths once, so module loading and first-use setup are not counted as the 50 children's cost.
  await (how === "plain" ? plain() : kakoi())
  const before = kibOf("VmRSS")
  await Promise.all(Array.from({ length: count }, how === "plain" ? plain : kakoi))
  console.log(JSON.stringify({ before, peak: kibOf("VmHWM") }))
}

if (mode === "plain" || mode === "kakoi") await child(mode, Number(countText))
else {
  const [count = 50, rounds = 3] = process.argv.slice(2).map(Number)
  const measure = (how: string): { readonly growth: number; readonly peak: number } => {
    const runsOf = Array.from({ length: rounds }, () =>
      JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), how, String(count)], { encoding: "utf8" })) as { before: number; peak: number })
    const median = (values: Array<number>): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
    return { growth: median(runsOf.map((run) => run.peak - run.before)), peak: median(runsOf.map((run) => run.peak)) }
  }
  const plain = measure("plain")
  const kakoi = measure("kakoi")
  console.log(`\nPeak RSS of the supervising process, ${count} children spawned at once, median of ${rounds} processes (${machine()})`)
  console.log("| case | peak RSS MiB | growth during the spawns MiB | growth ratio |")
  console.log("|---|---:|---:|---:|")
  for (const [label, figures] of [["child_process.spawn sleep 1 (baseline)", plain], ["kakoi run sleep 1, errno policy", kakoi]] as const) {
    console.log(`| ${label} | ${(figures.peak / 1024).toFixed(1)} | ${(figures.growth / 1024).toFixed(1)} | ${(figures.growth / plain.growth).toFixed(2)}x |`)
  }
}
