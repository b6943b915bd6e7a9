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

/**
 * Pids of the live (not zombie) processes, as the supervisor sees them, whose
 * argv has `marker` as one of its words. A contained child has its own pid
 * namespace and /proc, so pids it prints mean nothing out here: tests find
 * its descendants by a marker instead.
 *
 * @example
 * ```ts
 * import { tagged } from "./processes.ts"
 *
 * tagged("kakoi-tag-1-1") // [] once they are gone
 * tagged("kakoi-tag-1-1", true) // only those whose parent is not tagged
 * ```
 */
export const tagged = (marker: string, topmost = false): ReadonlyArray<number> => {
  const argvOf = (pid: string): ReadonlyArray<string> => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
      if (!argvOf(name).includes(marker) || stat[0] === "Z") return []
      // topmost: a fork of a tagged shell that has not exec'd yet carries the marker too; it does not count.
      return topmost && argvOf(stat[1] ?? "0").includes(marker) ? [] : [Number(name)]
    } catch {
      return []
    }
  })
}

/**
 * Whether no process tagged `marker` is left within `ms`; SIGKILLs survivors so no test leaves them behind.
 *
 * @example
 * ```ts
 * import { noneLeft } from "./processes.ts"
 *
 * const gone = await noneLeft("kakoi-tag-1-1")
 * ```
 */
export const noneLeft = async (marker: string, ms = 2000): Promise<boolean> => {
  const gone = await waitUntil(() => tagged(marker).length === 0, ms)
  for (const pid of tagged(marker)) process.kill(pid, "SIGKILL")
  return gone
}

let tags = 0

/**
 * A shell line that starts `command` in the background inside a shell tagged
 * with a fresh marker (a grandchild of the supervisor), through `launcher`
 * (e.g. "setsid"); the tagged shell prints "running" first. `command` must
 * not contain a single quote.
 *
 * @example
 * ```ts
 * import { inBackground, noneLeft } from "./processes.ts"
 *
 * const sleeper = inBackground("sleep 30")
 * const script = `${sleeper.script} wait` // then: await noneLeft(sleeper.marker)
 * ```
 */
export const inBackground = (command: string, launcher = ""): { readonly script: string; readonly marker: string } => {
  const marker = `kakoi-tag-${process.pid}-${++tags}`
  // "; :" keeps the tagged shell from exec'ing its last command (its argv would go).
  return { marker, script: `${launcher} sh -c 'echo running; ${command}; :' ${marker} &` }
}

/**
 * A Python program that tries to outlive its supervisor: it clears its
 * parent-death signal, forks a grandchild that calls setsid() and clears its
 * own, then prints `line` (once the grandchild runs) and sleeps 30 s. Give a
 * marker as its first argument to find both by `tagged`.
 *
 * @example
 * ```ts
 * import { escaperArgv } from "./processes.ts"
 *
 * const argv = escaperArgv("kakoi-tag-1-1", "up")
 * ```
 */
export const escaperArgv = (marker: string, line: string): ReadonlyArray<string> => ["/usr/bin/python3", "-c", `import ctypes, os, time
libc = ctypes.CDLL(None)
libc.prctl(1, 0, 0, 0, 0)
if os.fork() == 0:
    os.setsid()
    libc.prctl(1, 0, 0, 0, 0)
else:
    time.sleep(0.2)
    print(${JSON.stringify(line)}, flush=True)
time.sleep(30)`, marker]
