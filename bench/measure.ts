/** Shared by the benchmarks: time repeated runs and print medians side by side with ratios. */

export interface Sample {
  readonly label: string
  readonly medianMs: number
  readonly p90Ms: number
}

const percentile = (sorted: ReadonlyArray<number>, fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN

/** Run `task` `warmup` times untimed, then `runs` times timed; report median and p90 in ms. */
export const measure = async (label: string, runs: number, task: () => Promise<unknown>, warmup = 3): Promise<Sample> => {
  for (let i = 0; i < warmup; i++) await task()
  const times: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await task()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { label, medianMs: percentile(times, 0.5), p90Ms: percentile(times, 0.9) }
}

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
