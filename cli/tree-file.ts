/**
 * The tree file of `kakoi supervise`: a JSON file (or a .ts/.js module whose
 * default export is the tree), decoded strictly, with each worker's
 * `"seccomp"` (a policy in kakoi's JSON format, or the path of a file holding
 * one, relative to the tree) and `"rlimit"` (e.g. `{ "nofile": 64 }`) turned
 * into plugins. Every mistake is a SupervisorError "InvalidSpec" naming the
 * file and the JSON path, found before anything starts.
 */
import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Result, Schema } from "effect"
import { errnoText } from "../core/errno.ts"
import { strictDecoder, type InputProblem } from "../core/decode.ts"
import type { NodeServices } from "../adapters/node/mod.ts"
import type { SupervisorError } from "../core/supervisor/errors.ts"
import { isSupervisorSpec, type ChildSpec, type SupervisorSpec, type WorkerSpec } from "../core/supervisor/spec.ts"
import { invalidTree, treeSchema } from "../core/supervisor/validate.ts"
import { rlimit, rlimitSteps, type RlimitOptions } from "../plugins/rlimit/mod.ts"
import { policy, PolicyError, seccomp, type Policy } from "../plugins/seccomp/mod.ts"
import { parseJsonText } from "../plugins/seccomp/json-text.ts"
import { sandbox, type SandboxOptions } from "../plugins/sandbox/sandbox.ts"
import { UsageError } from "./usage.ts"

/** A tree as `kakoi supervise` runs it: plugins that the Node adapter's layer can serve. */
type Tree = SupervisorSpec<unknown, NodeServices>

/** A worker as a tree file writes it. */
interface FileWorker {
  readonly seccomp?: string | Readonly<Record<string, unknown>>
  readonly rlimit?: Readonly<Record<string, unknown>>
  readonly sandbox?: Readonly<Record<string, unknown>>
}

const Fields = Schema.Record(Schema.String, Schema.Unknown)
const decodeFileTree = strictDecoder(treeSchema({
  seccomp: Schema.optionalKey(Schema.Union([Schema.String, Fields])),
  rlimit: Schema.optionalKey(Fields),
  // sandbox()'s options, decoded strictly by the plugin before the tree starts anything (supervisor preflight).
  sandbox: Schema.optionalKey(Fields)
}))

/** A problem found while turning a decoded tree into plugins. */
class TreeProblem {
  readonly problem: InputProblem
  constructor(problem: InputProblem) {
    this.problem = problem
  }
}

const describeError = (error: unknown): string => {
  const code = (error as { readonly code?: unknown }).code
  const errno = (error as { readonly errno?: unknown }).errno
  if (typeof errno === "number" && typeof code === "string") return errnoText(-errno)
  return error instanceof Error ? error.message : String(error)
}

/** The policy a worker names: inline JSON, or a file beside the tree. */
const workerPolicy = (written: NonNullable<FileWorker["seccomp"]>, path: string, base: string): Policy => {
  const where = `${path}.seccomp`
  if (typeof written !== "string") {
    try {
      return policy(written as never)
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error
      throw new TreeProblem({ path: error.path === undefined ? where : `${where}.${error.path}`, detail: error.problem })
    }
  }
  const file = resolve(base, written)
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    throw new TreeProblem({ path: where, detail: `Cannot read the seccomp policy ${JSON.stringify(written)}: ${describeError(error)}` })
  }
  try {
    return policy(parseJsonText(text) as never)
  } catch (error) {
    // The policy's own path and problem, not its message: that begins "Invalid seccomp policy" too.
    const detail = error instanceof PolicyError ? `${error.path === undefined ? "" : ` at ${error.path}`}: ${error.problem}` : ` not JSON (${describeError(error)})`
    throw new TreeProblem({ path: where, detail: `Invalid seccomp policy in ${JSON.stringify(written)}${detail}` })
  }
}

const workerLimits = (written: NonNullable<FileWorker["rlimit"]>, path: string): RlimitOptions => {
  const steps = rlimitSteps(written as RlimitOptions)
  if (Result.isFailure(steps)) throw new TreeProblem({ path: `${path}.rlimit.${steps.failure.resource}`, detail: steps.failure.message })
  return written as RlimitOptions
}

/** The tree with `seccomp` and `rlimit` as plugins, all the way down; `path` is the child's JSON path ("" for the root). */
const withPlugins = (child: Tree | ChildSpec<unknown, NodeServices>, path: string, base: string): ChildSpec<unknown, NodeServices> => {
  if (isSupervisorSpec(child)) {
    return { ...child, children: child.children.map((nested, index) => withPlugins(nested, `${path === "" ? "" : `${path}.`}children[${index}]`, base)) }
  }
  const { seccomp: written, rlimit: limits, sandbox: fences, ...rest } = child as WorkerSpec<unknown, NodeServices> & FileWorker
  const plugins = [...(rest.plugins ?? [])]
  if (fences !== undefined) plugins.push(sandbox(fences as SandboxOptions))
  if (limits !== undefined) plugins.push(rlimit(workerLimits(limits, path)))
  if (written !== undefined) plugins.push(seccomp(workerPolicy(written, path, base)))
  return { ...rest, plugins }
}

const readTree = async (file: string, path: string): Promise<unknown> => {
  if (/\.[cm]?[jt]s$/.test(path)) {
    try {
      return (await import(pathToFileURL(path).href)).default
    } catch (error) {
      throw new UsageError("supervise", `Cannot load the tree ${JSON.stringify(file)}: ${describeError(error)}`)
    }
  }
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    throw new UsageError("supervise", `Cannot read the tree ${JSON.stringify(file)}: ${describeError(error)}`)
  }
  try {
    return parseJsonText(text)
  } catch (error) {
    throw new UsageError("supervise", `Cannot read the tree ${JSON.stringify(file)}: not JSON (${describeError(error)})`)
  }
}

/**
 * Read, decode and complete the tree in `file`. Rejects with a `UsageError`
 * when the file cannot be read, and a `SupervisorError` "InvalidSpec" (with
 * `file` and `path`) when the tree, a policy or a limit in it is wrong.
 *
 * @example
 * ```ts
 * import { loadTree } from "./tree-file.ts"
 *
 * const tree = await loadTree("examples/worker-pool.json") // the example tree in kakoi's checkout
 * tree.children.map((child) => child.name) // ["worker-1", "worker-2", "crash-loop"]
 * ```
 */
export const loadTree = async (file: string): Promise<Tree> => {
  const path = resolve(file)
  const tree = await readTree(file, path)
  const decoded = decodeFileTree(tree)
  if (Result.isFailure(decoded)) throw invalidTree(tree, decoded.failure, file) satisfies SupervisorError
  // Decoded against the tree's schema (which `supervise` checks again, without the file's own keys).
  const spec = decoded.success as Tree
  try {
    return withPlugins(spec, "", dirname(path)) as Tree
  } catch (error) {
    if (error instanceof TreeProblem) throw invalidTree(tree, error.problem, file)
    throw error
  }
}
