/**
 * The supervisor's costs against the same work written directly on Node's
 * child_process.spawn, in the same run:
 * - restart throughput: restarts per second of a child that exits at once
 *   (kakoi: a permanent child with no backoff; baseline: a spawn-wait loop);
 * - memory per supervised child: heap and RSS growth of this process with K
 *   `sleep 60` children supervised (kakoi) or spawned with piped output read
 *   line by line (baseline). The children's own memory is not counted.
 *
 *   node --expose-gc bench/supervisor.ts [restarts=40] [children=20]
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { supervise } from "../adapters/node/mod.ts"

const [restarts = 40, children = 20] = process.argv.slice(2).map(Number)
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const env = { PATH: "/usr/bin:/bin" }

const baselineRestarts = async (count: number): Promise<number> => {
  const start = performance.now()
  for (let index = 0; index < count; index++) {
    const child = spawn("/bin/true", [], { stdio: ["ignore", "pipe", "pipe"], env })
    child.stdout.resume()
    child.stderr.resume()
    await once(child, "exit")
  }
  return count / ((performance.now() - start) / 1000)
}

const kakoiRestarts = async (count: number): Promise<number> => {
  const tree = await supervise({
    name: "bench",
    intensity: { maxRestarts: count * 10, withinMs: 60_000 },
    children: [{ name: "true", argv: ["/bin/true"], env, backoff: { initialMs: 0, jitter: false } }]
  })
  let start = 0
  let seen = 0
  for await (const event of tree.events) {
    if (event.type !== "started") continue
    if (seen === 0) start = performance.now()
    if (seen++ === count) break
  }
  const rate = count / ((performance.now() - start) / 1000)
  await tree.stop()
  return rate
}

const memory = () => {
  gc()
  const { heapUsed, rss } = process.memoryUsage()
  return { heapUsed, rss }
}

const perChild = async (label: string, run: () => Promise<() => Promise<void>>) => {
  const before = memory()
  const stop = await run()
  await new Promise((resolve) => setTimeout(resolve, 200))
  const after = memory()
  await stop()
  return { label, heapKiB: (after.heapUsed - before.heapUsed) / 1024 / children, rssKiB: (after.rss - before.rss) / 1024 / children }
}

const baselineChildren = async () => {
  const spawned = Array.from({ length: children }, () => {
    const child = spawn("sleep", ["60"], { stdio: ["ignore", "pipe", "pipe"], env })
    createInterface({ input: child.stdout }).on("line", () => {})
    createInterface({ input: child.stderr }).on("line", () => {})
    return child
  })
  await Promise.all(spawned.map((child) => once(child, "spawn")))
  return async () => {
    for (const child of spawned) child.kill("SIGKILL")
    await Promise.all(spawned.map((child) => once(child, "exit")))
  }
}

const kakoiChildren = async () => {
  const tree = await supervise({
    name: "bench",
    children: Array.from({ length: children }, (_, index) => ({ name: `sleep-${index}`, argv: ["sleep", "60"], env }))
  })
  return () => tree.stop()
}

// Warm-up: load modules and compile paths once so neither side pays it in the figures.
await baselineRestarts(3)
await kakoiRestarts(3)
const base = await baselineRestarts(restarts)
const ours = await kakoiRestarts(restarts)
console.log(`Restart throughput, ${restarts} restarts of /bin/true (${process.version}):\n`)
console.log("| case | restarts/s | ratio to baseline |\n|---|---:|---:|")
console.log(`| child_process.spawn loop | ${base.toFixed(1)} | 1.00x |`)
console.log(`| kakoi supervisor, permanent, no backoff | ${ours.toFixed(1)} | ${(ours / base).toFixed(3)}x |`)

const baseMemory = await perChild("child_process.spawn, lines read", baselineChildren)
const ourMemory = await perChild("kakoi supervisor", kakoiChildren)
console.log(`\nMemory of this process per child, ${children} children of sleep 60:\n`)
console.log("| case | heap KiB/child | RSS KiB/child | heap ratio |\n|---|---:|---:|---:|")
for (const row of [baseMemory, ourMemory]) {
  console.log(`| ${row.label} | ${row.heapKiB.toFixed(1)} | ${row.rssKiB.toFixed(1)} | ${(row.heapKiB / baseMemory.heapKiB).toFixed(2)}x |`)
}
