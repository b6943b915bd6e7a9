/**
 * The Runtime port on Bun: starts the launcher with Bun.spawn and a socket on
 * fd 3 (`stdio[3] = "pipe"`, which Bun hands the parent as a raw fd number),
 * passes the job over it and watches the process; and the host `run`/`spawn`
 * use (web streams, process.env).
 *
 * Output pipes are made here, not by Bun: Bun reads a "pipe" child's output
 * into memory eagerly, without bound, whether anyone reads it or not. Ours are
 * read only as the caller pulls, so a child nobody reads blocks on a full
 * pipe, as under Node and Deno.
 */
import type { Subprocess } from "bun"
import { Effect } from "effect"
import type { Host } from "../../core/api.ts"
import { SpawnError } from "../../core/errors.ts"
import { decodeFailure } from "../../core/job.ts"
import type { Libc } from "../../core/libc.ts"
import type { LauncherProcess, ProcessStatus, RuntimePort } from "../../core/runtime.ts"
import { siblingModule } from "../../core/sibling.ts"
import { isSignalName } from "../../core/signals.ts"
import type { StdioOption } from "../../core/spec.ts"
import { writeWebInput, type WebIo } from "../../core/web-io.ts"
import { outputBytes, signalGroup } from "../shared/host-io.ts"
import { bunLibc } from "./native.ts"

const F_DUPFD_CLOEXEC = 1030
const O_CLOEXEC = 0o2000000
const MSG_NOSIGNAL = 0x4000

const launcherPath = Bun.fileURLToPath(siblingModule("launcher", import.meta.url))

const bunStdio = { pipe: "pipe", inherit: "inherit", ignore: "ignore" } as const satisfies Record<StdioOption, string>

/** Bun's stdin pipe is a FileSink; users get a WritableStream like Deno's. */
const writableOf = (sink: Bun.FileSink): WritableStream<Uint8Array> =>
  new WritableStream({
    // write returns a promise when the pipe took only part of the chunk: awaited, so a broken pipe is this write's error, not an unhandled one.
    write: async (chunk) => {
      await sink.write(chunk)
      await sink.flush()
    },
    close: async () => {
      await sink.end()
    }
  })

/** [read end, write end], both close-on-exec (Bun.spawn dups the write end onto the child's fd). */
const outputPipe = (libc: Libc): readonly [number, number] => {
  const fds = new Int32Array(2)
  if (Number(libc.call.pipe2(new Uint8Array(fds.buffer), O_CLOEXEC)) < 0) throw new Error(`pipe2 failed with errno ${libc.errno()}`)
  return [fds[0] ?? -1, fds[1] ?? -1]
}

/** A pipe's read end as a stream that reads only when pulled and closes the fd at its end or on cancel. */
const pulledStream = (libc: Libc, fd: number): ReadableStream<Uint8Array> => {
  const reader = Bun.file(fd).stream().getReader()
  let open = true
  const close = (): void => {
    if (open) libc.call.close(fd)
    open = false
  }
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      try {
        const { done, value } = await reader.read()
        if (!done) return controller.enqueue(value)
        close()
        controller.close()
      } catch (error) {
        close()
        controller.error(error)
      }
    },
    cancel: async () => {
      await reader.cancel()
      close()
    }
  }, { highWaterMark: 0 })
}

const statusOf = async (child: Subprocess): Promise<ProcessStatus> => {
  await child.exited
  const signal = child.signalCode
  return typeof signal === "string" && isSignalName(signal)
    ? { exitCode: undefined, signal }
    : { exitCode: child.exitCode ?? undefined, signal: undefined }
}

/**
 * Sends the job and reads the launcher's report until the channel closes. Reads
 * a private duplicate: Bun closes its own fd when the process exits, which can
 * be before a failure report has been read.
 */
const exchange = async (libc: Libc, fd: number, job: Uint8Array, onReport?: (received: Uint8Array) => void): Promise<Uint8Array> => {
  const channel = Number(libc.call.fcntl(fd, F_DUPFD_CLOEXEC, 0))
  if (channel < 0) throw new Error(`cannot duplicate fd ${fd}: errno ${libc.errno()}`)
  try {
    // The socket buffer (>= 200 KiB) holds any job (BPF is at most 32 KiB), so one send never blocks.
    const sent = Number(libc.call.send(channel, job, job.byteLength, MSG_NOSIGNAL))
    if (sent !== job.byteLength) throw new Error(`cannot send the job: errno ${libc.errno()}`)
    let received = new Uint8Array(0)
    try {
      for await (const chunk of Bun.file(channel).stream()) {
        const next = new Uint8Array(received.byteLength + chunk.byteLength)
        next.set(received)
        next.set(chunk, received.byteLength)
        received = next
        onReport?.(received)
      }
    } catch (error) {
      // After the first byte, an error is ECONNRESET: the launcher exec'd with the notify handshake's
      // go-ahead byte unread (we answered its read ourselves), which ends the report like a close.
      if (received.byteLength === 0) throw error
    }
    return received
  } finally {
    libc.call.close(channel)
  }
}

const launch: RuntimePort<WebIo>["launch"] = (stdio, command) =>
  Effect.try({
    try: (): LauncherProcess<WebIo> => {
      const libc = bunLibc()
      const [stdout, stderr] = [stdio[1], stdio[2]].map((option) => (option === "pipe" ? outputPipe(libc) : undefined))
      let child: Subprocess
      try {
        child = Bun.spawn([process.execPath, launcherPath], {
          stdio: [bunStdio[stdio[0]], stdout?.[1] ?? bunStdio[stdio[1]], stderr?.[1] ?? bunStdio[stdio[2]], "pipe"],
          // The launcher's own environment: empty, so nothing of ours reaches the target or Bun's startup.
          env: {}
        })
      } catch (error) {
        for (const pipe of [stdout, stderr]) if (pipe !== undefined) libc.call.close(pipe[0])
        throw error
      } finally {
        // The child has its copies; ours would keep end-of-file from ever coming.
        for (const pipe of [stdout, stderr]) if (pipe !== undefined) libc.call.close(pipe[1])
      }
      const exited = statusOf(child)
      return {
        pid: child.pid,
        io: {
          stdin: typeof child.stdin === "object" && child.stdin !== null ? writableOf(child.stdin) : undefined,
          stdout: stdout === undefined ? undefined : pulledStream(libc, stdout[0]),
          stderr: stderr === undefined ? undefined : pulledStream(libc, stderr[0])
        },
        start: (job, onReport) =>
          Effect.tryPromise({
            try: async () => decodeFailure(await exchange(libc, child.stdio[3] as number, job, onReport)),
            catch: (error) => new SpawnError({ reason: "LauncherFailed", command, detail: `control channel: ${String(error)}` })
          }),
        send: (bytes) => Number(libc.call.send(child.stdio[3] as number, bytes, bytes.byteLength, MSG_NOSIGNAL)) === bytes.byteLength,
        exited: Effect.promise(() => exited),
        kill: (signal) => {
          if (child.exitCode !== null || child.signalCode !== null) return false
          child.kill(signal)
          return true
        }
      }
    },
    catch: (error) => new SpawnError({ reason: "LauncherFailed", command, detail: String(error) })
  })

/** The Bun runtime port. */
export const bunRuntime: RuntimePort<WebIo> = { name: "bun", pid: process.pid, launch }

/** The Bun host for core/api.ts. */
export const bunHost: Host<WebIo> = {
  runtime: bunRuntime,
  environment: () => process.env,
  outputBytes,
  signalGroup,
  writeInput: writeWebInput
}
