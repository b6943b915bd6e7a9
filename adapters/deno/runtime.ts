/**
 * The Runtime port on Deno, and the host `run`/`spawn` use (web streams,
 * Deno.env). Deno.Command cannot map extra fds, so the control channel is a
 * socketpair made with libc: the child's end is inheritable only while
 * Deno.Command spawns (synchronously, on this thread), its number travels in
 * argv, and the parent closes its copy at once, or end-of-file would never come.
 * (A process spawned at that instant from another thread, e.g. a Worker, could
 * inherit it too; that only delays the report until that process execs or exits.)
 */
import { Effect } from "effect"
import type { Host } from "../../core/api.ts"
import { SpawnError } from "../../core/errors.ts"
import { decodeFailure } from "../../core/job.ts"
import { checked, type Libc } from "../../core/libc.ts"
import type { LauncherProcess, ProcessStatus, RuntimePort } from "../../core/runtime.ts"
import { siblingModule } from "../../core/sibling.ts"
import { isSignalName } from "../../core/signals.ts"
import type { StdioOption } from "../../core/spec.ts"
import { writeWebInput, type WebIo } from "../../core/web-io.ts"
import { outputBytes, signalGroup } from "../shared/host-io.ts"
import { denoLibc, readAsync } from "./native.ts"
import { requirePermissions, type DenoPermissionError } from "./permissions.ts"

const AF_UNIX = 1
const SOCK_STREAM = 1
const SOCK_CLOEXEC = 0x80000
const F_SETFD = 2
const FD_CLOEXEC = 1
const MSG_NOSIGNAL = 0x4000

const launcherUrl = siblingModule("launcher", import.meta.url)

/**
 * Deno's flags for the launcher: no config or lock file lookups (they cost
 * startup time and could change module resolution), quiet (its stderr is the
 * target's), all permissions (it runs only kakoi's own launcher).
 */
const launcherArgs = (fd: number): Array<string> =>
  ["run", "--no-config", "--no-lock", "--quiet", "--no-prompt", "-A", launcherUrl, String(fd)]

const denoStdio = { pipe: "piped", inherit: "inherit", ignore: "null" } as const satisfies Record<StdioOption, string>

/** [parent's end, child's end], both close-on-exec. */
const socketpair = (libc: Libc): readonly [number, number] => {
  const fds = new Int32Array(2)
  const result = checked(libc.call.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, new Uint8Array(fds.buffer)), libc.errno)
  if (result < 0) throw new Error(`socketpair failed with errno ${-result}`)
  return [fds[0] ?? -1, fds[1] ?? -1]
}

/** Starts the launcher with the child's end of the channel inherited. */
const spawnWith = (libc: Libc, childEnd: number, stdio: readonly [StdioOption, StdioOption, StdioOption]): Deno.ChildProcess => {
  libc.call.fcntl(childEnd, F_SETFD, 0)
  try {
    return new Deno.Command(Deno.execPath(), {
      args: launcherArgs(childEnd),
      stdin: denoStdio[stdio[0]],
      stdout: denoStdio[stdio[1]],
      stderr: denoStdio[stdio[2]],
      // The launcher's own environment: nothing of ours reaches the target (it gets the job's env at execve).
      clearEnv: true,
      env: { DENO_NO_UPDATE_CHECK: "1" }
    }).spawn()
  } finally {
    libc.call.fcntl(childEnd, F_SETFD, FD_CLOEXEC)
  }
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return all
}

/** Sends the job and reads the launcher's report until the channel closes. */
const exchange = async (libc: Libc, channel: number, job: Uint8Array, onReport?: (received: Uint8Array) => void): Promise<Uint8Array> => {
  // The socket buffer (>= 200 KiB) holds any job (BPF is at most 32 KiB), so one send never blocks.
  const sent = checked(libc.call.send(channel, job, job.byteLength, MSG_NOSIGNAL), libc.errno)
  if (sent !== job.byteLength) throw new Error(`cannot send the job (${sent})`)
  const chunks: Array<Uint8Array> = []
  for (;;) {
    const chunk = new Uint8Array(4096)
    const count = await readAsync(channel, chunk)
    // After the first byte, an error is ECONNRESET: the launcher exec'd with the notify handshake's
    // go-ahead byte unread (we answered its read ourselves), which ends the report like a close.
    if (count < 0 && chunks.length > 0) break
    if (count < 0) throw new Error("cannot read the launcher's report")
    if (count === 0) break
    chunks.push(chunk.subarray(0, count))
    onReport?.(concat(chunks))
  }
  return concat(chunks)
}

/** Deno reports a signal death as code 128+n plus the signal's name; kakoi's exit model has no code then. */
const statusOf = async (child: Deno.ChildProcess): Promise<ProcessStatus> => {
  const { code, signal } = await child.status
  return signal !== null && isSignalName(signal) ? { exitCode: undefined, signal } : { exitCode: code, signal: undefined }
}

const launch: RuntimePort<WebIo>["launch"] = (stdio, command) =>
  Effect.try({
    try: (): LauncherProcess<WebIo> => {
      const libc = denoLibc()
      const [channel, childEnd] = socketpair(libc)
      let child: Deno.ChildProcess
      try {
        child = spawnWith(libc, childEnd, stdio)
      } catch (error) {
        libc.call.close(channel)
        throw error
      } finally {
        libc.call.close(childEnd)
      }
      const exited = statusOf(child)
      let done = false
      let closed = false
      void exited.then(() => (done = true))
      return {
        pid: child.pid,
        io: {
          stdin: stdio[0] === "pipe" ? child.stdin : undefined,
          stdout: stdio[1] === "pipe" ? child.stdout : undefined,
          stderr: stdio[2] === "pipe" ? child.stderr : undefined
        },
        start: (job, onReport) =>
          Effect.tryPromise({
            try: async () => decodeFailure(await exchange(libc, channel, job, onReport)),
            catch: (error) => new SpawnError({ reason: "LauncherFailed", command, detail: `control channel: ${String(error)}` })
          }).pipe(Effect.ensuring(Effect.sync(() => {
            closed = true
            libc.call.close(channel)
          }))),
        send: (bytes) => !closed && checked(libc.call.send(channel, bytes, bytes.byteLength, MSG_NOSIGNAL), libc.errno) === bytes.byteLength,
        exited: Effect.promise(() => exited),
        kill: (signal) => {
          if (done) return false
          try {
            child.kill(signal)
            return true
          } catch {
            return false
          }
        }
      }
    },
    catch: (error) => new SpawnError({ reason: "LauncherFailed", command, detail: String(error) })
  })

/** The Deno runtime port. */
export const denoRuntime: RuntimePort<WebIo> = { name: "deno", pid: Deno.pid, launch }

/** The Deno host for core/api.ts: checks permissions before anything starts. */
export const denoHost: Host<WebIo, DenoPermissionError> = {
  runtime: denoRuntime,
  environment: () => Deno.env.toObject(),
  outputBytes,
  signalGroup,
  writeInput: writeWebInput,
  preflight: (options) =>
    requirePermissions(options.env === undefined ? ["ffi", "run", "env"] : ["ffi", "run"])
}
