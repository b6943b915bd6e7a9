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
 * const nothingYet: Report = { installingListener: false, failure: undefined }
 * ```
 */
export interface Report {
  readonly installingListener: boolean
  readonly failure: LaunchFailure | undefined
}

const malformed = (detail: string): LaunchFailure => ({ stage: "launcher", errno: 0, subject: `unreadable report from the child: ${detail}` })

/**
 * Decodes every whole record in `received` (a trailing partial one waits for more bytes).
 *
 * @example
 * ```ts
 * decodeReport([], new Uint8Array(0)) // { installingListener: false, failure: undefined }
 * ```
 */
export const decodeReport = (ops: ReadonlyArray<Pick<OpSpec, "stage" | "subject">>, received: Uint8Array): Report => {
  const view = new DataView(received.buffer, received.byteOffset, received.byteLength)
  let installingListener = false
  for (let at = 0; at + recordSize <= received.byteLength; at += recordSize) {
    const tag = view.getUint32(at, true)
    const index = view.getUint32(at + 4, true)
    const op = ops[index]
    if (op === undefined) return { installingListener, failure: malformed(`op ${index} does not exist`) }
    if (tag === recordTag.installingListener) installingListener = true
    else if (tag === recordTag.failure) return { installingListener, failure: { stage: op.stage, errno: view.getInt32(at + 8, true), subject: op.subject } }
    else return { installingListener, failure: malformed(`record tag 0x${tag.toString(16)}`) }
  }
  return { installingListener, failure: undefined }
}
