/**
 * The parts of a Host that are the same in Node, Deno and Bun: a child's
 * Node streams and web streams are both async iterables of bytes, and
 * `node:process` kill with a negative pid signals a process group in all three.
 */
import process from "node:process"
import type { SignalName } from "../../core/signals.ts"

/**
 * A child's stdout or stderr as the async iterable of bytes it already is.
 *
 * @example
 * ```ts
 * import { outputBytes } from "../shared/host-io.ts"
 *
 * const bytes = outputBytes({ stdout: new Response("hi").body ?? undefined, stderr: undefined }, "stdout")
 * ```
 */
export const outputBytes = (
  io: { readonly stdout: AsyncIterable<Uint8Array> | undefined; readonly stderr: AsyncIterable<Uint8Array> | undefined },
  stream: "stdout" | "stderr"
): AsyncIterable<Uint8Array> | undefined => io[stream]

/**
 * kill(-pgid, signal); false when no process of the group is left.
 *
 * @example
 * ```ts
 * import { signalGroup } from "../shared/host-io.ts"
 *
 * signalGroup(1234, "SIGTERM") // every process in group 1234
 * ```
 */
export const signalGroup = (pgid: number, signal: SignalName): boolean => {
  try {
    return process.kill(-pgid, signal)
  } catch {
    // ESRCH: the whole group is gone already.
    return false
  }
}
