/**
 * Web streams over the parent's pipe ends, for runtimes with no public way
 * to wrap a raw fd (Deno, Bun): non-blocking reads and writes on the main
 * thread, and a wait on the process's one poll thread (core/poll.ts) when the
 * pipe has nothing to read or no room to write. No thread is held per pipe.
 */
import { checked, type Libc } from "../libc.ts"
import { fdWatcher, pollSystem, type FdWatcher, type PollOffThread } from "../poll.ts"
import type { WebIo } from "../web-io.ts"
import { constants, errno } from "../arch/generic.ts"

const chunkSize = 64 * 1024

/** The two stream makers over one libc and watcher; each stream owns its fd and closes it. */
export interface FdStreams {
  readonly readable: (fd: number) => ReadableStream<Uint8Array>
  readonly writable: (fd: number) => WritableStream<Uint8Array>
}

/**
 * Web streams over non-blocking fds.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 * import type { FdWatcher } from "../poll.ts"
 *
 * declare const libc: Libc
 * declare const watcher: FdWatcher
 * declare const fd: number // the parent's end of a child's stdout pipe, non-blocking
 * const stdout = fdStreams(libc, watcher).readable(fd)
 * const text = await new Response(stdout).text()
 * ```
 */
export const fdStreams = (libc: Libc, watcher: FdWatcher): FdStreams => {
  const whenReady = (fd: number, events: number, then: () => void): (() => void) => {
    const cancel = watcher.watch(fd, events, () => {
      cancel()
      then()
    })
    return cancel
  }
  return {
    readable: (fd) => {
      let waiting: (() => void) | undefined
      let open = true
      const close = (): void => {
        waiting?.()
        if (open) libc.call.close(fd)
        open = false
      }
      return new ReadableStream<Uint8Array>({
        pull: (controller) =>
          new Promise<void>((resolve, reject) => {
            const attempt = (): void => {
              waiting = undefined
              if (!open) return resolve()
              const chunk = new Uint8Array(chunkSize)
              const count = checked(libc.call.read(fd, chunk, chunk.byteLength), libc.errno)
              if (count === -errno.EAGAIN) return void (waiting = whenReady(fd, constants.POLLIN, attempt))
              if (count === -errno.EINTR) return attempt()
              if (count < 0) {
                close()
                return reject(new Error(`read from the child's pipe failed with errno ${-count}`))
              }
              if (count === 0) {
                close()
                controller.close()
              } else controller.enqueue(chunk.slice(0, count))
              resolve()
            }
            attempt()
          }),
        cancel: close
      })
    },
    writable: (fd) => {
      // A write waiting for room: how to stop watching, and how to let it see the pipe closed.
      let waiting: { readonly cancel: () => void; readonly retry: () => void } | undefined
      let open = true
      const close = (): void => {
        const pending = waiting
        waiting = undefined
        pending?.cancel()
        if (open) libc.call.close(fd)
        open = false
        // A write blocked on a full pipe when the child ended (endWebInput) rejects instead of waiting forever.
        pending?.retry()
      }
      const stream = new WritableStream<Uint8Array>({
        write: (chunk) =>
          new Promise<void>((resolve, reject) => {
            let rest = chunk
            const attempt = (): void => {
              waiting = undefined
              while (rest.byteLength > 0) {
                if (!open) return reject(new Error("the child's stdin is closed"))
                const count = checked(libc.call.write(fd, rest, rest.byteLength), libc.errno)
                if (count === -errno.EAGAIN) return void (waiting = { cancel: whenReady(fd, constants.POLLOUT, attempt), retry: attempt })
                if (count === -errno.EINTR) continue
                // EPIPE: the child closed its stdin (runtimes ignore SIGPIPE, so it is an error, not a death).
                if (count < 0) {
                  // An errored stream is never closed by its user: give the fd back now.
                  close()
                  return reject(new Error(`write to the child's stdin failed with errno ${-count}`))
                }
                // A view of what is left, not a copy: copying the rest after every partial write made a large input quadratic.
                rest = rest.subarray(count)
              }
              resolve()
            }
            attempt()
          }),
        close,
        abort: close
      })
      closers.set(stream, close)
      return stream
    }
  }
}

// How to close each stdin stream from outside it, even while a caller holds its writer (which locks the stream).
const closers = new WeakMap<WritableStream<Uint8Array>, () => void>()

/**
 * Closes a child's stdin pipe once the child has ended, as child_process
 * does: nothing can read it any more, and a caller that never closed it
 * would otherwise keep its fd for the life of the process. A later write
 * rejects; one waiting for room in the pipe rejects at once.
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi"
 * import { endWebInput } from "./fd-streams.ts"
 *
 * const child = await spawn(["true"], { env: { PATH: "/usr/bin:/bin" } })
 * await child.result
 * endWebInput(child) // the stdin pipe's fd is closed
 * ```
 */
export const endWebInput = (io: WebIo): void => {
  if (io.stdin !== undefined) closers.get(io.stdin)?.()
}

/**
 * The `streams` argument of `nativeRuntime` for runtimes that hand out web
 * streams over raw fds: the libc and poll are taken on the first call.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 * import type { PollOffThread } from "../poll.ts"
 * import { nativeRuntime, type LaunchBinding } from "../runtime.ts"
 *
 * declare const libc: () => Libc
 * declare const poll: PollOffThread
 * declare const binding: () => LaunchBinding
 * const runtime = nativeRuntime("bun", binding, webIoOf(libc, poll))
 * ```
 */
export const webIoOf = (libc: () => Libc, poll: PollOffThread): ((pipes: readonly [number | undefined, number | undefined, number | undefined]) => WebIo) => {
  let streams: FdStreams | undefined
  return ([stdin, stdout, stderr]) => {
    streams ??= fdStreams(libc(), fdWatcher(pollSystem(libc(), poll)))
    return {
      stdin: stdin === undefined ? undefined : streams.writable(stdin),
      stdout: stdout === undefined ? undefined : streams.readable(stdout),
      stderr: stderr === undefined ? undefined : streams.readable(stderr)
    }
  }
}
