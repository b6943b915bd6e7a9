/**
 * The job: what the parent sends the launcher over its control channel after
 * the launcher has started (so a pool of pre-started launchers can take work
 * later without a protocol change), and the launcher's failure report back.
 *
 * Wire format: a 4-byte little-endian length, then UTF-8 JSON. bigints travel
 * as decimal strings, BPF as base64. Back from the launcher: one `accepted`
 * byte once it has the job, then a JSON failure report if something failed.
 * The channel is close-on-exec, so end-of-file right after `accepted` means
 * execve succeeded, and end-of-file with nothing at all means the launcher
 * died before it read the job (its runtime could not start it, say) rather
 * than a target that ran.
 */
import type { PreExecStep, RlimitValue } from "./steps.ts"

export interface Job {
  readonly argv: ReadonlyArray<string>
  /** "NAME=value" entries: the target's whole environment. */
  readonly env: ReadonlyArray<string>
  readonly steps: ReadonlyArray<PreExecStep>
  /** Signal number for PR_SET_PDEATHSIG, 0 for none. */
  readonly parentDeathSignal: number
  /** The pid the launcher must have as parent; it exits if the parent is already gone. */
  readonly parentPid: number
}

/** Why the launcher could not exec the target: the stage that failed and its errno. */
export interface LaunchFailure {
  /** "exec", "resolve" (command lookup), or a step kind such as "chdir" or "seccomp". */
  readonly stage: string
  readonly errno: number
  /** The path or value the stage worked on, for the message. */
  readonly subject: string
}

const wireValue = (value: RlimitValue): string => (value === "unlimited" ? value : value.toString())
const fromWire = (value: string): RlimitValue => (value === "unlimited" ? value : BigInt(value))

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

const stepToWire = (step: PreExecStep): unknown => {
  switch (step.kind) {
    case "rlimit":
      return { ...step, soft: wireValue(step.soft), hard: wireValue(step.hard) }
    case "seccomp":
      return { kind: step.kind, bpf: toBase64(step.bpf), ...(step.listener === true ? { listener: true } : {}) }
    default:
      return step
  }
}

const stepFromWire = (step: any): PreExecStep => {
  switch (step.kind) {
    case "rlimit":
      return { ...step, soft: fromWire(step.soft), hard: fromWire(step.hard) }
    case "seccomp":
      return { kind: "seccomp", bpf: fromBase64(step.bpf), ...(step.listener === true ? { listener: true } : {}) }
    default:
      return step
  }
}

/** Length-prefixed frame of a JSON value. */
export const frame = (value: unknown): Uint8Array => {
  const body = new TextEncoder().encode(JSON.stringify(value))
  const framed = new Uint8Array(4 + body.byteLength)
  new DataView(framed.buffer).setUint32(0, body.byteLength, true)
  framed.set(body, 4)
  return framed
}

export const encodeJob = (job: Job): Uint8Array => frame({ ...job, steps: job.steps.map(stepToWire) })

export const decodeJob = (body: Uint8Array): Job => {
  const raw = JSON.parse(new TextDecoder().decode(body))
  return { ...raw, steps: raw.steps.map(stepFromWire) }
}

/** The byte the launcher writes once it has read the job (ASCII ACK). */
export const accepted: Uint8Array = Uint8Array.of(0x06)

export const encodeFailure = (failure: LaunchFailure): Uint8Array => new TextEncoder().encode(JSON.stringify(failure))

/**
 * The record the launcher writes right before it installs a filter with a
 * listener: ENQ, then the fd number (u32 LE) the listener will get, so the
 * parent can fetch it with pidfd_getfd (see core/launcher.ts).
 */
export const encodeListenerRecord = (fd: number): Uint8Array => {
  const record = new Uint8Array(listenerRecordSize)
  record[0] = listenerRecordTag
  new DataView(record.buffer).setUint32(1, fd, true)
  return record
}

/**
 * How many bytes the launcher asks for when it waits for the parent after
 * installing a listener: an unusual count, so the parent can tell that `read`
 * apart from the target's own if the policy notifies read.
 */
export const handshakeReadSize = 4093

const listenerRecordTag = 0x05
const listenerRecordSize = 5

/**
 * The listener fd number announced in the launcher's report so far (the bytes
 * read from the control channel up to now), or undefined if not (yet) there.
 *
 * @example
 * ```ts
 * import { accepted, encodeListenerRecord, listenerFdOf } from "./job.ts"
 *
 * listenerFdOf(Uint8Array.of(...accepted, ...encodeListenerRecord(21))) // 21
 * ```
 */
export const listenerFdOf = (report: Uint8Array): number | undefined => {
  const start = report[0] === accepted[0] ? 1 : 0
  if (report[start] !== listenerRecordTag || report.byteLength < start + listenerRecordSize) return undefined
  return new DataView(report.buffer, report.byteOffset).getUint32(start + 1, true)
}

/** The report when the launcher never took the job. */
const neverAccepted: LaunchFailure = { stage: "launcher", errno: 0, subject: "it exited before reading the job" }

/** The launcher's report: undefined when the channel closed right after `accepted` (exec succeeded). */
export const decodeFailure = (bytes: Uint8Array): LaunchFailure | undefined => {
  if (bytes.byteLength === 0) return neverAccepted
  const afterAccepted = bytes[0] === accepted[0] ? bytes.subarray(1) : bytes
  const report = afterAccepted[0] === listenerRecordTag ? afterAccepted.subarray(listenerRecordSize) : afterAccepted
  return report.byteLength === 0 ? undefined : JSON.parse(new TextDecoder().decode(report))
}
