/**
 * execa-style messages for a child that did not succeed: what happened, then
 * the command (`Command timed out after 300 milliseconds: sleep 5`); the long
 * form adds the fence's diagnosis and the text the child printed.
 */
import type { Diagnosis } from "../exit.ts"
import { describeSignal, type SignalName } from "../signals.ts"
import type { OutputStream } from "./output.ts"
import type { StopReason } from "./termination.ts"

/**
 * What the messages are computed from.
 *
 * @example
 * ```ts
 * import type { Outcome } from "./message.ts"
 *
 * const exited: Outcome = { command: "make", exitCode: 2, signal: undefined, diagnosis: undefined, reason: undefined,
 *   isForcefullyTerminated: false, overflowed: undefined, timeout: undefined, maxBuffer: 1e8, forceKillAfterDelay: 5000 }
 * ```
 */
export interface Outcome {
  readonly command: string
  readonly exitCode: number | undefined
  readonly signal: SignalName | undefined
  readonly diagnosis: Diagnosis | undefined
  readonly reason: StopReason | undefined
  readonly isForcefullyTerminated: boolean
  readonly overflowed: OutputStream | undefined
  readonly timeout: number | undefined
  readonly maxBuffer: number
  readonly forceKillAfterDelay: number | undefined
}

/**
 * A result that failed: a non-zero exit, a signal, or kakoi stopping it for a timeout, a cancel or too much output.
 *
 * @example
 * ```ts
 * import { failed } from "./message.ts"
 *
 * failed({ exitCode: 0, signal: undefined, reason: "timeout" }) // true
 * ```
 */
export const failed = (outcome: Pick<Outcome, "exitCode" | "signal" | "reason">): boolean =>
  outcome.exitCode !== 0 || outcome.signal !== undefined || (outcome.reason !== undefined && outcome.reason !== "kill")

const what = (outcome: Outcome): string => {
  const { reason, signal } = outcome
  if (reason === "timeout") return `Command timed out after ${outcome.timeout} milliseconds`
  if (reason === "cancel") return "Command was canceled"
  if (reason === "maxBuffer") return `Command's ${outcome.overflowed ?? "output"} was larger than ${outcome.maxBuffer} bytes`
  if (signal !== undefined) return `Command was killed with ${signal} (${describeSignal(signal)})`
  return `Command failed with exit code ${outcome.exitCode ?? "unknown"}`
}

/**
 * The one-line message, or undefined when the child succeeded.
 *
 * @example
 * ```ts
 * import { shortMessage } from "./message.ts"
 *
 * shortMessage({ command: "sleep 5", exitCode: undefined, signal: "SIGTERM", diagnosis: undefined, reason: "timeout",
 *   isForcefullyTerminated: false, overflowed: undefined, timeout: 300, maxBuffer: 1e8, forceKillAfterDelay: 5000 })
 * // "Command timed out after 300 milliseconds: sleep 5"
 * ```
 */
export const shortMessage = (outcome: Outcome): string | undefined => {
  if (!failed(outcome)) return undefined
  const forced = outcome.isForcefullyTerminated && outcome.reason !== undefined
    ? ` and was forcefully terminated with SIGKILL after ${outcome.forceKillAfterDelay} milliseconds`
    : ""
  return `${what(outcome)}${forced}: ${outcome.command}`
}

/**
 * The short message, then the fence's diagnosis, then what the child wrote
 * (stderr before stdout), each on its own lines; undefined when it succeeded.
 *
 * @example
 * ```ts
 * import { longMessage } from "./message.ts"
 *
 * declare const outcome: import("./message.ts").Outcome
 * longMessage(outcome, ["mkdir: cannot create directory '/x': Operation not permitted\n"])
 * ```
 */
export const longMessage = (outcome: Outcome, output: ReadonlyArray<string>): string | undefined => {
  const first = shortMessage(outcome)
  if (first === undefined) return undefined
  const printed = output.map((text) => text.replace(/\n$/, "")).filter((text) => text !== "")
  const head = outcome.diagnosis === undefined ? first : `${first}\n${outcome.diagnosis.message}`
  return printed.length === 0 ? head : `${head}\n\n${printed.join("\n")}`
}
