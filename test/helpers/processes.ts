/** Process checks the real-process suites share: is a pid alive, wait for a condition, which children are left. */
import { readdirSync, readFileSync } from "node:fs"
import { stat as statFile } from "node:fs/promises"

/** The state letter and the parent pid of a process, from /proc; undefined when it is gone. */
const stat = (pid: number | string): { readonly state: string; readonly parent: string } | undefined => {
  try {
    const [state = "", parent = ""] = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
    return { state, parent }
  } catch {
    return undefined
  }
}

/**
 * Whether `pid` runs. A zombie counts as gone: it runs nothing and holds nothing.
 *
 * @example
 * ```ts
 * import { alive } from "./processes.ts"
 *
 * alive(process.pid) // true
 * ```
 */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const state = stat(pid)?.state
  return state !== undefined && state !== "Z"
}

/**
 * Polls `condition` every 10 ms for up to `ms`; resolves with its last value.
 *
 * @example
 * ```ts
 * import { alive, waitUntil } from "./processes.ts"
 *
 * const gone = await waitUntil(() => !alive(1234), 2000)
 * ```
 */
export const waitUntil = async (condition: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return condition()
}

/**
 * Live processes whose parent is this process: after a suite, there must be none.
 *
 * @example
 * ```ts
 * import { ownChildren } from "./processes.ts"
 *
 * ownChildren() // [] once every child has been reaped
 * ```
 */
export const ownChildren = (): Array<number> =>
  readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return []
    const entryStat = stat(entry)
    return entryStat?.parent === String(process.pid) && entryStat.state !== "Z" ? [Number(entry)] : []
  })

/**
 * Milliseconds for 20 rounds of 8 parallel `fs.promises.stat` of `file`: how
 * free the host's thread pool is (an idle child must not hold a pool thread).
 */
export const statBurst = async (file: string): Promise<number> => {
  const started = performance.now()
  for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 8 }, () => statFile(file)))
  return performance.now() - started
}
