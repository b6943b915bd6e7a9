/**
 * `kakoi supervise FILE`: run the supervision tree described in a JSON file
 * (or a .ts/.js module whose default export is the tree), print its events
 * and its children's output as lines from the first child's start on, and stop
 * it gracefully on SIGINT, SIGTERM or SIGHUP (unless kakoi was started
 * ignoring it: under nohup, SIGHUP is ignored).
 *
 * The tree is decoded strictly first (tree-file.ts): a mistake in it exits 2
 * with the file and the JSON path, and nothing is started.
 * Besides `seccomp` and `rlimit`, a worker may carry `"sandbox"` (sandbox()'s
 * options, e.g. `{ "network": "none" }`, or `{}` for its strict defaults).
 */
import { supervise, type SupervisorHandle } from "../adapters/node/mod.ts"
import { formatEvent } from "../core/supervisor/events.ts"
import { notIgnored } from "./ignored-signals.ts"
import { ignoreAgain } from "./ignore-again.ts"
import { loadTree } from "./tree-file.ts"
import { parseOptions, superviseHelp, UsageError, type CliIo } from "./usage.ts"

/** The signals that stop the tree gracefully: Ctrl-C, a service manager's stop, a closed terminal. */
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const

/**
 * Runs the command; resolves with 0 after a clean stop, 1 when the tree gave up.
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs"
 * import { superviseCommand } from "./supervise.ts"
 *
 * // A child that always fails: restarted once, then the tree gives up.
 * const tree = { name: "app", intensity: { maxRestarts: 1, withinMs: 5000 }, children: [{ name: "crash", argv: ["/bin/sh", "-c", "exit 1"], backoff: { initialMs: 10 } }] }
 * writeFileSync("/tmp/crash-tree.json", JSON.stringify(tree))
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * const status = await superviseCommand(["/tmp/crash-tree.json"], io) // 1, after printing "app/crash: gave up: ..."
 * ```
 */
export const superviseCommand = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { values, positionals } = parseOptions("supervise", { args: [...args], options: { help: { type: "boolean", short: "h" } }, allowPositionals: true })
  if (values.help) {
    io.out(superviseHelp)
    return 0
  }
  const [file, ...extra] = positionals
  if (file === undefined || extra.length > 0) throw new UsageError("supervise", "Give exactly one tree file: kakoi supervise tree.json")
  const spec = await loadTree(file)
  // Children run in their own sessions, so Ctrl-C reaches only kakoi, which stops them in order.
  const stopping = new AbortController()
  const stop = () => stopping.abort()
  // A stop signal kakoi's starter ignored (nohup's SIGHUP) is ignored again: it does not stop the tree, and its children inherit it ignored.
  const ignored = ignoreAgain(io)
  const stoppedBy = notIgnored(stopSignals, ignored)
  for (const signal of stoppedBy) process.on(signal, stop)
  try {
    let tree: SupervisorHandle
    try {
      // Printed as they come, also while the tree starts (a child waiting to be ready must not hide what the others print).
      tree = await supervise(spec, {
        signal: stopping.signal,
        onEvent: (event) => io.out(formatEvent(event)),
        onLine: ({ child, stream, line }) => (stream === "stdout" ? io.out : io.err)(`${child} | ${line}`)
      })
    } catch (error) {
      // Stopped while it started: the children started so far are stopped, which is a clean stop.
      if (stopping.signal.aborted) return 0
      throw error
    }
    try {
      await tree.done
      return 0
    } catch (error) {
      io.err(`kakoi: ${error instanceof Error ? error.message : String(error)}`)
      return 1
    } finally {
      // Resolves once the last event and line are printed.
      await tree.stop()
    }
  } finally {
    for (const signal of stoppedBy) process.off(signal, stop)
  }
}
