/**
 * `kakoi supervise FILE`: run the supervision tree described in a JSON file
 * (or a .ts/.js module whose default export is the tree), print its events
 * and its children's output as lines, and stop it gracefully on SIGINT or SIGTERM.
 *
 * In JSON, a worker may carry `"seccomp"` (a policy in kakoi's JSON format, or
 * the path of a file holding one), `"rlimit"` (e.g. `{ "nofile": 64 }`) and
 * `"sandbox"` (sandbox()'s options, e.g. `{ "network": "none" }`, or `{}` for
 * its strict defaults); they become the seccomp, rlimit and sandbox plugins.
 */
import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { supervise, type SupervisorHandle } from "../adapters/node/mod.ts"
import type { Plugin } from "../core/plugin.ts"
import { formatEvent } from "../core/supervisor/events.ts"
import { isSupervisorSpec, type ChildSpec, type SupervisorSpec } from "../core/supervisor/spec.ts"
import { rlimit, type RlimitOptions } from "../plugins/rlimit/mod.ts"
import { sandbox, type SandboxOptions } from "../plugins/sandbox/sandbox.ts"
import { seccomp, type PolicyJson } from "../plugins/seccomp/mod.ts"
import { parseOptions, superviseHelp, UsageError, type CliIo } from "./usage.ts"

/** A worker as written in a JSON tree. */
interface JsonWorker {
  readonly seccomp?: PolicyJson | string
  readonly rlimit?: RlimitOptions
  readonly sandbox?: SandboxOptions
  readonly plugins?: ReadonlyArray<Plugin<any, any>>
}

const readJson = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, "utf8"))
  } catch (error) {
    throw new UsageError("supervise", `Cannot read the tree "${path}": ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Turns `seccomp`, `rlimit` and `sandbox` fields into plugins, all the way down. */
const withPlugins = (child: ChildSpec<any, any>, base: string): ChildSpec<any, any> => {
  if (isSupervisorSpec(child)) return { ...child, children: (child.children ?? []).map((nested) => withPlugins(nested, base)) }
  const { seccomp: policy, rlimit: limits, sandbox: fences, ...rest } = child as ChildSpec<any, any> & JsonWorker
  const plugins: Array<Plugin<any, any>> = [...(rest.plugins ?? [])]
  // sandbox() decodes its options strictly: a typo fails the worker's start with a FenceError naming the key.
  if (fences !== undefined) plugins.push(sandbox(fences))
  if (limits !== undefined) plugins.push(rlimit(limits))
  if (policy !== undefined) plugins.push(seccomp(typeof policy === "string" ? (readJson(resolve(base, policy)) as PolicyJson) : policy))
  return { ...rest, plugins }
}

const loadTree = async (file: string): Promise<SupervisorSpec<any, any>> => {
  const path = resolve(file)
  const tree = /\.[cm]?[jt]s$/.test(path) ? (await import(pathToFileURL(path).href)).default : readJson(path)
  if (typeof tree !== "object" || tree === null || !Array.isArray((tree as { children?: unknown }).children)) {
    throw new UsageError("supervise", `The tree "${file}" needs a "name" and a "children" array`)
  }
  return withPlugins(tree as SupervisorSpec<any, any>, dirname(path)) as SupervisorSpec<any, any>
}

/** Runs the command; resolves with 0 after a clean stop, 1 when the tree gave up. */
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
  let tree: SupervisorHandle | undefined
  let interrupted = false
  const stop = () => {
    interrupted = true
    void tree?.stop()
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, stop)
  try {
    tree = await supervise(spec)
    if (interrupted) void tree.stop()
    const printing = Promise.all([
      (async () => {
        for await (const event of tree.events) io.out(formatEvent(event))
      })(),
      (async () => {
        for await (const { child, stream, line } of tree.lines) (stream === "stdout" ? io.out : io.err)(`${child} | ${line}`)
      })()
    ])
    try {
      await tree.done
      return 0
    } catch (error) {
      io.err(`kakoi: ${error instanceof Error ? error.message : String(error)}`)
      return 1
    } finally {
      await printing
    }
  } finally {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.off(signal, stop)
  }
}
