/**
 * The supervisor's extra needs, met the same way in Node, Deno and Bun:
 * `process.on` and `process.off` for the signals the supervisor receives.
 */
import process from "node:process"
import type { Host } from "../../core/api.ts"
import type { SupervisorHost } from "../../core/supervisor/host.ts"

/** The part of an adapter's `Io` a supervisor reads. */
export interface OutputIo {
  readonly stdout: AsyncIterable<Uint8Array> | undefined
  readonly stderr: AsyncIterable<Uint8Array> | undefined
}

/**
 * An adapter's Host with what a supervisor needs besides.
 *
 * @example
 * ```ts
 * import { layer, type NodeIo } from "kakoi/node"
 * import type { Host } from "../../core/api.ts"
 * import { makeSupervisorApi } from "../../core/supervisor/api.ts"
 *
 * declare const host: Host<NodeIo>
 * const { supervise } = makeSupervisorApi(supervisorHost(host), layer)
 * ```
 */
export const supervisorHost = <Io extends OutputIo, X>(host: Host<Io, X>): SupervisorHost<Io, X> => ({
  ...host,
  onSignal: (signal, listener) => {
    process.on(signal, listener)
    return () => void process.off(signal, listener)
  }
})
