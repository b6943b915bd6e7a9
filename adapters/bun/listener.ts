/**
 * poll(2) in a Worker (adapters/bun/poll-worker.ts), since bun:ffi has no
 * off-thread call, for the process's one poll thread (core/poll.ts). The
 * Worker is unref'd while no poll is in flight, so an idle loop never keeps Bun alive.
 */
import type { PollOffThread } from "../../core/poll.ts"
import { siblingModule } from "../../core/sibling.ts"

/** Bun's Worker has Node's ref/unref; typed here so other runtimes' checkers (deno publish) accept the file. */
type BunWorker = Worker & { readonly ref: () => void; readonly unref: () => void }

let worker: BunWorker | undefined
let pending: ((result: number) => void) | undefined

const pollWorker = (): BunWorker => {
  if (worker !== undefined) return worker
  const started = new Worker(siblingModule("poll-worker", import.meta.url)) as BunWorker
  started.onmessage = (event: MessageEvent<number>) => {
    started.unref()
    const resolve = pending
    pending = undefined
    resolve?.(event.data)
  }
  started.unref()
  return (worker = started)
}

/**
 * poll(2) in the poll Worker; one poll at a time (the loop never overlaps them).
 *
 * @example
 * ```ts
 * declare const address: bigint // two struct pollfd in a never-moving arena
 * const ready = await bunPollOffThread(address, 2, -1) // how many fds are ready, -1 on error
 * ```
 */
export const bunPollOffThread: PollOffThread = (address, count, timeoutMs) =>
  new Promise((resolve) => {
    const thread = pollWorker()
    pending = resolve
    thread.ref()
    thread.postMessage({ address, count, timeoutMs })
  })
