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

/** A case whose run reports its own figure, e.g. the ns per call a child timed itself. */
export interface FigureCase {
  readonly label: string
  readonly task: () => Promise<number>
}

/** The median and p90 of a case's figures, in the unit its task reports. */
export interface Figure {
  readonly label: string
  readonly median: number
  readonly p90: number
}

/**
 * Run several cases side by side: `warmup` untimed rounds, then `runs`
 * rounds, each round running every case once in order, keeping the figure
 * each run reports. Interleaving means a change in machine load during the
 * bench hits every case alike, so the ratios hold on a shared machine. A run
 * that takes longer than `timeoutMs` rejects.
 *
 * @example
 * ```ts
 * const [figure] = await compareFigures([{ label: "ns per call", task: async () => 170 }], 5, 1)
 * ```
 */
export const compareFigures = async (
  cases: ReadonlyArray<FigureCase>,
  runs: number,
  warmup = 3,
  timeoutMs = 30_000
): Promise<Array<Figure>> => {
  for (let i = 0; i < warmup; i++) {
    for (const { label, task } of cases) await within(label, timeoutMs, task)
  }
  const figures = cases.map((): Array<number> => [])
  for (let i = 0; i < runs; i++) {
    for (const [index, { label, task }] of cases.entries()) figures[index]?.push(await within(label, timeoutMs, task))
  }
  return cases.map(({ label }, index) => {
    const sorted = [...(figures[index] ?? [])].sort((a, b) => a - b)
    return { label, median: percentile(sorted, 0.5), p90: percentile(sorted, 0.9) }
  })
}

/**
 * A case as one whose figure is each run's wall time in ms, to time beside cases that report their own.
 *
 * @example
 * ```ts
 * const figure = timed({ label: "nothing", task: async () => {} })
 * ```
 */
export const timed = ({ label, task }: Case): FigureCase => ({
  label,
  task: async () => {
    const started = performance.now()
    await task()
    return performance.now() - started
  }
})

/** `compareFigures` where the figure is each run's wall time in ms. */
export const compare = async (
  cases: ReadonlyArray<Case>,
  runs: number,
  warmup = 3,
  timeoutMs = 30_000
): Promise<Array<Sample>> => {
  const figures = await compareFigures(cases.map(timed), runs, warmup, timeoutMs)
  return figures.map(({ label, median, p90 }) => ({ label, medianMs: median, p90Ms: p90 }))
}

/** Run `task` `warmup` times untimed, then `runs` times timed; report median and p90 in ms. */
export const measure = async (label: string, runs: number, task: () => Promise<unknown>, warmup = 3, timeoutMs = 30_000): Promise<Sample> => {
  const [sample] = await compare([{ label, task }], runs, warmup, timeoutMs)
  return sample ?? { label, medianMs: Number.NaN, p90Ms: Number.NaN }
}

/** Where the figures come from, for a table's title: date, runtime and version, kernel, CPU count. */
export const machine = (): string =>
  `${new Date().toISOString().slice(0, 10)}, ${runtimeVersion}, Linux ${release()}, ${cpus().length} CPUs`

/**
 * Print figures as a table in `unit`, each with its ratio to the first (the baseline).
 *
 * @example
 * ```ts
 * reportFigures("getppid", "ns per call", [{ label: "no filter", median: 170, p90: 180 }])
 * ```
 */
export const reportFigures = (title: string, unit: string, figures: ReadonlyArray<Figure>, digits = 2): void => {
  const [baseline] = figures
  if (baseline === undefined) return
  console.log(`\n${title}`)
  console.log(`| case | median ${unit} | p90 ${unit} | ratio to baseline |`)
  console.log("|---|---:|---:|---:|")
  for (const figure of figures) {
    const ratio = figure.median / baseline.median
    console.log(`| ${figure.label} | ${figure.median.toFixed(digits)} | ${figure.p90.toFixed(digits)} | ${ratio.toFixed(2)}x |`)
  }
}

/** Print samples as a table, each with its ratio to the first (the baseline). */
export const report = (title: string, samples: ReadonlyArray<Sample>): void =>
  reportFigures(title, "ms", samples.map(({ label, medianMs, p90Ms }) => ({ label, median: medianMs, p90: p90Ms })))
