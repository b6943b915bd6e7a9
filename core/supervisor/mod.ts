/**
 * The supervisor: supervision trees of sandboxed children with OTP-style
 * strategies, restart types, intensity and backoff, graceful group stops,
 * events, tagged output lines, status and readiness. Adapters re-export
 * `supervise` and `superviseEffect` bound to their runtime.
 *
 * @example
 * ```ts
 * import { supervise } from "kakoi/node"
 *
 * const tree = await supervise({
 *   name: "app",
 *   strategy: "one-for-one",
 *   intensity: { maxRestarts: 3, withinMs: 5000 },
 *   children: [{ name: "web", argv: ["node", "server.js"], ready: { kind: "line", pattern: "listening" } }]
 * })
 * for await (const event of tree.events) console.log(event.type, event.child)
 * ```
 */
export { makeSupervisorApi, type SuperviseOptions, type Supervisor, type SupervisorApi, type SupervisorHandle } from "./api.ts"
export { backoffSchedule } from "./backoff.ts"
export { SupervisorError, type SupervisorErrorReason } from "./errors.ts"
export { describeExit, formatEvent, type ChildExit, type SupervisorEvent } from "./events.ts"
export type { SupervisorHost } from "./host.ts"
export type { HostSignals } from "./host-signals.ts"
export { lineSplitter, type LineSplitter, type OutputChunk, type OutputLine } from "./lines.ts"
export {
  defaults,
  isSupervisorSpec,
  type Backoff,
  type BackoffOptions,
  type ChildSpec,
  type Intensity,
  type Readiness,
  type RestartType,
  type StopPolicy,
  type Strategy,
  type SupervisorSpec,
  type WorkerSpec
} from "./spec.ts"
export type { ChildState, ChildStatus } from "./status.ts"
