/**
 * What a supervisor reports: a typed event for each step of each child's
 * life, and a one-line rendering of each for logs and the CLI.
 */
import type { Diagnosis } from "../exit.ts"
import { describeSignal, type SignalName } from "../signals.ts"

/** How a child ended. A nested supervisor has no pid; its giving up reads as a diagnosis. */
export interface ChildExit {
  readonly pid: number | undefined
  readonly exitCode: number | undefined
  readonly signal: SignalName | undefined
  readonly durationMs: number
  readonly diagnosis: Diagnosis | undefined
}

/**
 * A supervisor event. `child` is the path from the root, e.g. "app/pool/worker-1";
 * `at` is the supervisor's clock in ms.
 *
 * "trapped-syscall": a seccomp notify handler saw one of the child's syscalls
 * (reported through the child spec's `observe`, before the handler answers).
 * "not-ready": its readiness check failed or timed out (`reason` says which);
 * the child is being stopped, and its exit goes through its restart policy.
 */
export type SupervisorEvent =
  | { readonly type: "starting"; readonly child: string; readonly at: number; readonly attempt: number }
  | { readonly type: "started"; readonly child: string; readonly at: number; readonly pid: number | undefined }
  | { readonly type: "ready"; readonly child: string; readonly at: number }
  | { readonly type: "not-ready"; readonly child: string; readonly at: number; readonly reason: string }
  | { readonly type: "exited"; readonly child: string; readonly at: number; readonly exit: ChildExit; readonly restart: boolean }
  | { readonly type: "restarting"; readonly child: string; readonly at: number; readonly delayMs: number; readonly restarts: number }
  | { readonly type: "gave-up"; readonly child: string; readonly at: number; readonly message: string }
  | { readonly type: "trapped-syscall"; readonly child: string; readonly at: number; readonly pid: number; readonly syscall: string }
  | { readonly type: "stopped"; readonly child: string; readonly at: number; readonly exit: ChildExit | undefined }

/**
 * How a child ended, in words: "exit code 1", "signal SIGKILL (Forced termination)", plus the diagnosis.
 *
 * @example
 * ```ts
 * import { describeExit } from "./events.ts"
 *
 * describeExit({ pid: 7, exitCode: 1, signal: undefined, durationMs: 3, diagnosis: undefined }) // "exit code 1"
 * ```
 */
export const describeExit = (exit: ChildExit): string => {
  const how = exit.signal === undefined ? `exit code ${exit.exitCode ?? "unknown"}` : `signal ${exit.signal} (${describeSignal(exit.signal)})`
  return exit.diagnosis === undefined ? how : `${how}: ${exit.diagnosis.message}`
}

/**
 * One readable line for an event, as `kakoi supervise` prints it.
 *
 * @example
 * ```ts
 * import { formatEvent } from "./events.ts"
 *
 * formatEvent({ type: "restarting", child: "app/web", at: 0, delayMs: 200, restarts: 2 }) // "app/web: restarting in 200 ms (restart 2)"
 * ```
 */
export const formatEvent = (event: SupervisorEvent): string => {
  switch (event.type) {
    case "starting":
      return `${event.child}: starting${event.attempt > 0 ? ` (attempt ${event.attempt + 1})` : ""}`
    case "started":
      return `${event.child}: started${event.pid === undefined ? "" : ` with pid ${event.pid}`}`
    case "ready":
      return `${event.child}: ready`
    case "not-ready":
      return `${event.child}: not ready: ${event.reason}; stopping it`
    case "exited":
      return `${event.child}: exited with ${describeExit(event.exit)} after ${Math.round(event.exit.durationMs)} ms${event.restart ? "" : ", not restarting"}`
    case "restarting":
      return `${event.child}: restarting in ${Math.round(event.delayMs)} ms (restart ${event.restarts})`
    case "gave-up":
      return `${event.child}: gave up: ${event.message}`
    case "trapped-syscall":
      return `${event.child}: trapped syscall "${event.syscall}" in pid ${event.pid}`
    case "stopped":
      return `${event.child}: stopped${event.exit === undefined ? "" : ` (${describeExit(event.exit)})`}`
  }
}
