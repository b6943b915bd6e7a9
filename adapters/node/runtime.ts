/**
 * The Runtime port on Node: starts the launcher with child_process.spawn,
 * passes the job over a socketpair on fd 3, and watches the process; and the
 * host `run`/`spawn` use (Node streams, process.env).
 */
import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { PassThrough, type Readable, type Writable } from "node:stream"
import { Effect } from "effect"
import type { Host } from "../../core/api.ts"
import { SpawnError } from "../../core/errors.ts"
import { decodeFailure } from "../../core/job.ts"
import type { LauncherProcess, ProcessStatus, RuntimePort } from "../../core/runtime.ts"
import { siblingModule } from "../../core/sibling.ts"
import { isSignalName } from "../../core/signals.ts"
import { outputBytes, signalGroup } from "../shared/host-io.ts"
import { launcherEnvironment } from "./compile-cache.ts"

/** The child's stdio as Node streams; undefined where the stream is not a pipe. */
export interface NodeIo {
  readonly stdin: Writable | undefined
  readonly stdout: Readable | undefined
  readonly stderr: Readable | undefined
}

const launcherPath = fileURLToPath(siblingModule("launcher", import.meta.url))

/**
 * The child's output behind a PassThrough attached at spawn: once a child has
 * exited, Node resumes (drains) any stdio stream nobody reads yet, so output
 * and 'end' would be lost to a reader that attaches a moment later.
 */
const buffered = (stream: Readable | null): Readable | undefined => (stream === null ? undefined : stream.pipe(new PassThrough()))

const statusOf = (child: ChildProcess): Promise<ProcessStatus> =>
  new Promise((resolve) => {
    child.once("exit", (code, signal) =>
      resolve({
        exitCode: code ?? undefined,
        signal: signal !== null && isSignalName(signal) ? signal : undefined
      })
    )
  })

/** Everything the launcher writes before the channel closes: empty when exec succeeded. */
const reportOf = (channel: Readable, progress: { onReport?: ((received: Uint8Array) => void) | undefined }): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    channel.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      progress.onReport?.(Buffer.concat(chunks))
    })
    channel.once("error", (error: NodeJS.ErrnoException) =>
      // The launcher exec'd with the notify handshake's go-ahead byte unread (its read was answered by us): that is a close.
      error.code === "ECONNRESET" && chunks.length > 0 ? resolve(Buffer.concat(chunks)) : reject(error))
    channel.once("close", () => resolve(Buffer.concat(chunks)))
  })

const launch: RuntimePort<NodeIo>["launch"] = (stdio, command) =>
  Effect.callback<LauncherProcess<NodeIo>, SpawnError>((resume) => {
    const child = spawn(process.execPath, ["--no-warnings", launcherPath], {
      stdio: [...stdio, "pipe"],
      // The launcher's own environment: only its compile cache, so nothing of ours reaches Node's startup or the target.
      env: launcherEnvironment()
    })
    const failed = (error: Error) =>
      resume(Effect.fail(new SpawnError({ reason: "LauncherFailed", command, detail: error.message })))
    child.once("error", failed)
    child.once("spawn", () => {
      child.off("error", failed)
      const channel = child.stdio[3] as import("node:net").Socket
      const exited = statusOf(child)
      const progress: { onReport?: ((received: Uint8Array) => void) | undefined } = {}
      const report = reportOf(channel, progress)
      resume(
        Effect.succeed({
          pid: child.pid ?? -1,
          io: { stdin: child.stdin ?? undefined, stdout: buffered(child.stdout), stderr: buffered(child.stderr) },
          start: (job, onReport) =>
            Effect.tryPromise({
              try: async () => {
                progress.onReport = onReport
                channel.write(job)
                return decodeFailure(await report)
              },
              catch: (error) =>
                new SpawnError({ reason: "LauncherFailed", command, detail: `control channel: ${String(error)}` })
            }),
          send: (bytes) => channel.writable && channel.write(bytes),
          exited: Effect.promise(() => exited),
          kill: (signal) => child.kill(signal)
        })
      )
    })
  })

/** The Node runtime port. */
export const nodeRuntime: RuntimePort<NodeIo> = { name: "node", pid: process.pid, launch }

/** The Node host for core/api.ts. */
export const nodeHost: Host<NodeIo> = {
  runtime: nodeRuntime,
  environment: () => process.env,
  outputBytes,
  signalGroup,
  // A child that exits without reading breaks the pipe (EPIPE): its business, not a crash of the supervisor.
  writeInput: (io, input) => void io.stdin?.on("error", () => {}).end(input)
}
