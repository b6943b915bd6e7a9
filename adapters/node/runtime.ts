/**
 * Node's binding for the adapter factory: koffi's libc, poll(2) on the libuv
 * pool (listener.ts), libseccomp, and the children's pipes as Node streams
 * (net.Socket on the parent's ends: libuv polls them, no pool thread is held).
 */
import type { Readable, Writable } from "node:stream"
import { environmentReader } from "../../core/environment.ts"
import { environProbe, vouchedWhile } from "../../core/host/environ.ts"
import { copyString, cString, type Libc } from "../../core/libc.ts"
import type { RuntimeBinding } from "../shared/make-adapter.ts"
import { trapHelperPath } from "../shared/trap-helper-host.ts"
import { layer as seccompLibrary } from "./libseccomp.ts"
import { nodePollOffThread } from "./listener.ts"
import { loadedNodeLibc, nodeLibc } from "./native.ts"

/**
 * process.env as this module found it, taken now, before the program can
 * have put an object of its own there. Whether it is libc's environment (the
 * main thread's, or a worker's with SHARE_ENV; not a worker's own copy, nor a
 * copy a test framework put in place before loading kakoi) is asked once
 * libc is loaded: does a value written to it come back from libc's getenv?
 */
const startEnv = process.env
const environUnchanged = environProbe(loadedNodeLibc)
/** The variable the check writes and removes again (a name no one else uses; if set, no check: not ours to touch). */
const checkName = "KAKOI_ENVIRON_CHECK"
const checkNameC = cString(checkName)
/** What libc's getenv says for the check's variable; undefined where it is not set. */
const checkValueInC = (c: Libc): string | undefined => {
  const at = BigInt(c.call.getenv(checkNameC))
  return at === 0n ? undefined : copyString(c.call, at)
}
let viewOfEnviron: boolean | undefined
const writesEnviron = (c: Libc): boolean => {
  // A Proxy can answer reads from elsewhere while its writes reach libc (a layered configuration): never vouched for.
  if (process.getBuiltinModule("node:util").types.isProxy(startEnv)) return false
  let wrote = false
  try {
    if (Object.hasOwn(startEnv, checkName)) return false
    // A value of this thread's own read back by name, not "did environ move": another thread's writes
    // meanwhile (the main thread's, while a worker with its own copy asks) cannot pass for this one's.
    // node:worker_threads is loaded here, at the second spawn, not at import (the CLI's start-up).
    const value = `${process.pid}.${process.getBuiltinModule("node:worker_threads").threadId}`
    startEnv[checkName] = value
    wrote = true
    const written = checkValueInC(c) === value
    Reflect.deleteProperty(startEnv, checkName)
    wrote = false
    return written && checkValueInC(c) === undefined
  } catch {
    // An object of the program's that refuses the write or the look (a frozen copy) is not libc's environment.
    return false
  } finally {
    // Reflect.deleteProperty answers false where a delete statement would throw.
    if (wrote) Reflect.deleteProperty(startEnv, checkName)
  }
}

/**
 * Node's process.env, read only when libc's environment may have changed:
 * while process.env is the view of it this module found, the probe tells
 * for 0.05-0.1 ms less per spawn.
 */
const environment = environmentReader(() => process.env, "as-read", vouchedWhile(environUnchanged, () => {
  const c = loadedNodeLibc()
  if (viewOfEnviron === undefined && c !== undefined) {
    viewOfEnviron = writesEnviron(c)
    // The check's own write and removal are not a change the next read must see.
    environUnchanged()
  }
  return viewOfEnviron === true && process.env === startEnv
}))

/**
 * The child's stdio as Node streams; undefined where the stream is not a pipe.
 *
 * @example
 * ```ts
 * import { spawn, type NodeIo } from "kakoi/node"
 *
 * const { stdout }: NodeIo = await spawn(["echo", "hi"])
 * stdout?.setEncoding("utf8").on("data", (text: string) => console.log(text)) // "hi\n"
 * ```
 */
export interface NodeIo {
  readonly stdin: Writable | undefined
  readonly stdout: Readable | undefined
  readonly stderr: Readable | undefined
}

// node:net and node:stream are loaded when a child first has a pipe, not at import: they are
// 4 ms of `kakoi run`'s start-up, whose child inherits its stdio.
const writable = (fd: number | undefined): Writable | undefined =>
  fd === undefined ? undefined : new (process.getBuiltinModule("node:net").Socket)({ fd, readable: false, writable: true })

/**
 * A socket on a pipe emits 'end' (and closes) as soon as it reads end of file
 * with nothing buffered, even with no reader yet: behind a PassThrough the end
 * waits for whoever reads, however late they attach.
 */
const readable = (fd: number | undefined): Readable | undefined =>
  fd === undefined
    ? undefined
    : new (process.getBuiltinModule("node:net").Socket)({ fd, readable: true, writable: false }).pipe(new (process.getBuiltinModule("node:stream").PassThrough)())

/**
 * Node's binding, with Node streams (`kakoi/node`); the root entry swaps in web streams (web.ts).
 *
 * @example
 * ```ts
 * import { makeAdapter } from "../shared/make-adapter.ts"
 * import { nodeBinding } from "./runtime.ts"
 *
 * const { run } = makeAdapter(nodeBinding)
 * ```
 */
export const nodeBinding: RuntimeBinding<NodeIo> = {
  name: "node",
  libc: nodeLibc,
  poll: nodePollOffThread,
  // Node ignores these two at startup and resets every other disposition.
  runtimeIgnores: ["SIGPIPE", "SIGXFSZ"],
  seccompLibrary,
  streams: ([stdin, stdout, stderr]) => ({ stdin: writable(stdin), stdout: readable(stdout), stderr: readable(stderr) }),
  environment,
  // A child that exits without reading makes the write fail (EPIPE): the child's business, not an error of `run`.
  writeInput: (io, input) => void io.stdin?.on("error", () => {}).end(input),
  // As child_process does at the child's exit.
  endInput: (io) => void io.stdin?.destroy(),
  trapHelper: (parent, errno) => [process.execPath, "--no-warnings", trapHelperPath, "node", String(parent), String(errno)]
}
