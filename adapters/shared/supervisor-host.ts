/**
 * The supervisor's extra needs, met the same way in Node, Deno and Bun: a
 * child's Node streams and web streams are both async iterables of bytes, and
 * `node:process` kill with a negative pid signals a process group in all three.
 */
import process from "node:process"
import type { Host } from "../../core/api.ts"
import type { SupervisorHost } from "../../core/supervisor/host.ts"
import type { SignalName } from "../../core/signals.ts"

/** The part of an adapter's `Io` a supervisor reads. */
export interface OutputIo {
  readonly stdout: AsyncIterable<Uint8Array> | undefined
  readonly stderr: AsyncIterable<Uint8Array> | undefined
}

const signalGroup = (pgid: number, signal: SignalName): boolean => {
  try {
    return process.kill(-pgid, signal)
  } catch {
    // ESRCH: the whole group is gone already.
    return false
  }
}

/**
 * An adapter's Host with what a supervisor needs besides.
 *
 * @example
 * ```ts
 * import { makeSupervisorApi } from "../../core/supervisor/api.ts"
 * import { supervisorHost } from "../shared/supervisor-host.ts"
 * import { nodeHost } from "../node/runtime.ts"
 * import { layer } from "../node/mod.ts"
 *
 * const { supervise } = makeSupervisorApi(supervisorHost(nodeHost), layer)
 * ```
 */
export const supervisorHost = <Io extends OutputIo, X>(host: Host<Io, X>): SupervisorHost<Io, X> => ({
  ...host,
  outputBytes: (io, stream) => io[stream],
  signalGroup
})
