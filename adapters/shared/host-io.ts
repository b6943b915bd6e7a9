/**
 * The part of a Host that is the same in Node, Deno and Bun: a child's Node
 * streams and web streams are both async iterables of bytes. (Process groups
 * are signalled by the native launcher, core/launch/spawn.ts, which knows
 * whether the group's leader is still unreaped.)
 */

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

