/**
 * Decoding what the child wrote on the control channel (format.ts records)
 * back into what the parent acts on: whether the child is installing its
 * notify listener, and why it failed, as today's LaunchFailure so
 * spawnErrorFromFailure (core/errors.ts) raises the same typed errors.
 */
import type { OpSpec } from "./block.ts"
import { recordSize, recordTag } from "./format.ts"

/**
 * Why the child could not exec the target: the stage that failed, its errno, and what it worked on.
 *
 * @example
 * ```ts
 * const failure: LaunchFailure = { stage: "resolve", errno: 2, subject: "nosuchcmd" }
 * ```
 */
export interface LaunchFailure {
  /** "exec", "resolve" (PATH search), or a step kind such as "chdir", "rlimit", "seccomp". */
  readonly stage: string
  readonly errno: number
  /** The path, resource or command the stage worked on, for the message. */
  readonly subject: string
}

/**
 * What the control channel said so far.
 *
 * @example
 * ```ts
 * const nothingYet: Report = { installingListener: false, failure: undefined, started: false, targetStatus: undefined }
 * ```
 */
export interface Report {
  readonly installingListener: boolean
  readonly failure: LaunchFailure | undefined
  /** A pid-namespace init's target has exec'd (unless `failure` says it failed). Always false without an init. */
  readonly started: boolean
  /** A pid-namespace init's report of its target's wait status (as waitpid gives it), once the target is gone. */
  readonly targetStatus: number | undefined
}

const malformed = (detail: string): LaunchFailure => ({ stage: "launcher", errno: 0, subject: `unreadable report from the child: ${detail}` })

/**
 * Decodes every whole record in `received` (a trailing partial one waits for more bytes).
 *
 * @example
 * ```ts
 * decodeReport([], new Uint8Array(0)) // { installingListener: false, failure: undefined, started: false, targetStatus: undefined }
 * ```
 */
export const decodeReport = (ops: ReadonlyArray<Pick<OpSpec, "stage" | "subject">>, received: Uint8Array): Report => {
  const view = new DataView(received.buffer, received.byteOffset, received.byteLength)
  let installingListener = false
  let started = false
  let targetStatus: number | undefined
  let failure: LaunchFailure | undefined
  const report = (malformedReport?: LaunchFailure): Report => ({ installingListener, failure: failure ?? malformedReport, started, targetStatus })
  for (let at = 0; at + recordSize <= received.byteLength; at += recordSize) {
    const tag = view.getUint32(at, true)
    const index = view.getUint32(at + 4, true)
    const value = view.getInt32(at + 8, true)
    const op = ops[index]
    if (op === undefined) return report(malformed(`op ${index} does not exist`))
    if (tag === recordTag.installingListener) installingListener = true
    else if (tag === recordTag.started) started = true
    else if (tag === recordTag.targetStatus) targetStatus = value
    // The first failure is the one that counts; an init still reports its target's status after it.
    else if (tag === recordTag.failure) failure ??= { stage: op.stage, errno: value, subject: op.subject }
    else return report(malformed(`record tag 0x${tag.toString(16)}`))
  }
  return report()
}
