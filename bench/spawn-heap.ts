/**
 * Sandboxed spawn in a Node process holding a large heap: `child_process.spawn`
 * gets slower as the parent's memory grows (it forks, copying page tables),
 * while kakoi clones with CLONE_VM | CLONE_VFORK, which copies nothing. Times
 * `/bin/true` to its exit both ways with no heap, then again after this
 * process has filled a 1 GiB heap, interleaved in the same process; kakoi at
 * the default containment ("namespaces") and at "process-group" (the level
 * the goals were set for, before containment was the default).
 *
 *   node --max-old-space-size=3072 bench/spawn-heap.ts [runs=30] [MiB=1024]
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { run } from "../adapters/node/mod.ts"
import { policy, seccomp } from "../plugins/seccomp/mod.ts"
import { compare, machine, report } from "./measure.ts"

const [runs = 30, mebibytes = 1024] = process.argv.slice(2).map(Number)
const fence = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))

const plain = async (): Promise<void> => {
  const child = spawn("/bin/true", [], { stdio: "ignore" })
  const [code] = (await once(child, "exit")) as [number | null]
  if (code !== 0) throw new Error(`/bin/true ended with ${code}`)
}

const kakoi = (containment: "namespaces" | "process-group") => async (): Promise<void> => {
  const result = await run(["/bin/true"], { plugins: [fence], stdio: "ignore", containment })
  if (result.exitCode !== 0) throw new Error(`kakoi run /bin/true ended with ${result.signal ?? result.exitCode}`)
}

const heapMiB = (): number => Math.round(process.memoryUsage().heapUsed / 2 ** 20)

/** The three spawns, labelled with the heap they run beside: at the default containment and at "process-group". */
const cases = (): Parameters<typeof compare>[0] => [
  { label: `child_process.spawn /bin/true, heap ${heapMiB()} MiB`, task: plain },
  { label: `kakoi run /bin/true, errno policy, heap ${heapMiB()} MiB`, task: kakoi("namespaces") },
  { label: `kakoi run /bin/true, errno policy, containment "process-group", heap ${heapMiB()} MiB`, task: kakoi("process-group") }
]

const empty = await compare(cases(), runs)

// Arrays of small integers: 8 bytes an element, touched, so every page is resident.
const held: Array<Array<number>> = []
while (heapMiB() < mebibytes) held.push(Array.from({ length: 1 << 20 }, (_, index) => index & 0xff))

const full = await compare(cases(), runs)

const [plainFull, ...rest] = full
report(`Spawn with a large heap, median of ${runs} runs (${machine()}); ratios to child_process.spawn with the full heap`, [
  ...(plainFull === undefined ? [] : [plainFull]),
  ...rest,
  ...empty
])
console.log(`\n(held ${held.length} arrays; RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`)
