/** Shared by the benchmarks: time repeated runs and print medians side by side with ratios. */
import { cpus, release } from "node:os"
import { runtimeVersion } from "./runtime.ts"

export interface Sample {
  readonly label: string
  readonly medianMs: number
  readonly p90Ms: number
}

const percentile = (sorted: ReadonlyArray<number>, fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN

/** `task()`, rejecting when it has not settled after `timeoutMs`: a hung run fails the bench instead of stalling it. */
const within = <A>(label: string, timeoutMs: number, task: () => Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: a run did not finish within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([task(), timedOut]).finally(() => clearTimeout(timer))
}

/** One thing to time: a label for the table and a run of it. */
export interface Case {
  readonly label: string
  readonly task: () => Promise<unknown>
}

/**
 * Time several cases side by side: `warmup` untimed rounds, then `runs` timed
 * rounds, each round running every case once in order. Interleaving means a
 * change in machine load during the bench hits every case alike, so the ratios
 * hold on a shared machine. A run that takes longer than `timeoutMs` rejects.
 */
export const compare = async (
  cases: ReadonlyArray<Case>,
  runs: number,
  warmup = 3,
  timeoutMs = 30_000
): Promise<Array<Sample>> => {
  for (let i = 0; i < warmup; i++) {
    for (const { label, task } of cases) await within(label, timeoutMs, task)
  }
  const times = cases.map((): Array<number> => [])
  for (let i = 0; i < runs; i++) {
    for (const [index, { label, task }] of cases.entries()) {
      const started = performance.now()
      await within(label, timeoutMs, task)
      times[index]?.push(performance.now() - started)
    }
  }
  return cases.map(({ label }, index) => {
    const sorted = [...(times[index] ?? [])].sort((a, b) => a - b)
    return { label, medianMs: percentile(sorted, 0.5), p90Ms: percentile(sorted, 0.9) }
  })
}

/** Run `task` `warmup` times untimed, then `runs` times timed; report median and p90 in ms. */
export const measure = async (label: string, runs: number, task: () => Promise<unknown>, warmup = 3, timeoutMs = 30_000): Promise<Sample> => {
  const [sample] = await compare([{ label, task }], runs, warmup, timeoutMs)
  return sample ?? { label, medianMs: Number.NaN, p90Ms: Number.NaN }
}

/** Where the figures come from, for a table's title: date, runtime and version, kernel, CPU count. */
export const machine = (): string =>
  `${new Date().toISOString().slice(0, 10)}, ${runtimeVersion}, Linux ${release()}, ${cpus().length} CPUs`

/** Print samples as a table, each with its ratio to the first (the baseline). */
export const report = (title: string, samples: ReadonlyArray<Sample>): void => {
  const [baseline] = samples
  if (baseline === undefined) return
  console.log(`\n${title}`)
  console.log("| case | median ms | p90 ms | ratio to baseline |")
  console.log("|---|---:|---:|---:|")
  for (const sample of samples) {
    const ratio = sample.medianMs / baseline.medianMs
    console.log(`| ${sample.label} | ${sample.medianMs.toFixed(2)} | ${sample.p90Ms.toFixed(2)} | ${ratio.toFixed(2)}x |`)
  }
}
