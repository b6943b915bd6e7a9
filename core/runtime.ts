/**
 * The Runtime port: how an adapter starts a launcher process and watches it.
 * `Io` is the runtime's own view of the child's stdio (Node streams, web
 * streams); the core passes it through untouched.
 */
import type { Effect } from "effect"
import type { SpawnError } from "./errors.ts"
import type { LaunchFailure } from "./job.ts"
import type { SignalName } from "./signals.ts"
import type { StdioOption } from "./spec.ts"

export interface ProcessStatus {
  readonly exitCode: number | undefined
  readonly signal: SignalName | undefined
}

export interface LauncherProcess<Io> {
  /** The launcher's pid, which stays the target's pid after execve. */
  readonly pid: number
  readonly io: Io
  /**
   * Send the framed job; succeeds with the launcher's failure report, or
   * undefined once the target runs. `onReport` sees the launcher's bytes as
   * they arrive, everything so far each time (the notify handshake reads the
   * listener's fd number from them before the channel closes).
   */
  readonly start: (job: Uint8Array, onReport?: (received: Uint8Array) => void) => Effect.Effect<LaunchFailure | undefined, SpawnError>
  /** Write bytes to the launcher on the control channel (the notify handshake's go-ahead); false if it is closed. */
  readonly send: (bytes: Uint8Array) => boolean
  /** Completes when the process has ended. */
  readonly exited: Effect.Effect<ProcessStatus>
  /** Send a signal to the process; false when it is already gone. */
  readonly kill: (signal: SignalName) => boolean
}

export interface RuntimePort<Io> {
  readonly name: "node" | "deno" | "bun"
  /** The supervisor's own pid: the launcher checks it is still its parent. */
  readonly pid: number
  /** Start a launcher with the child's stdio; `command` is only for error messages. */
  readonly launch: (
    stdio: readonly [StdioOption, StdioOption, StdioOption],
    command: string
  ) => Effect.Effect<LauncherProcess<Io>, SpawnError>
}
