/**
 * What `run` and `spawn` resolve with: the exit as data, how kakoi's stopping
 * of the child (timeout, cancel, maxBuffer) played into it, execa-style
 * messages, and for `run` the output in the shape the options asked for.
 */
import type { ExitResult } from "../exit.ts"
import { failed, longMessage, shortMessage, type Outcome } from "./message.ts"
import type { Encoding, Output, Settings } from "./options.ts"
import type { Collected } from "./output.ts"
import type { Ended, Termination } from "./termination.ts"

/**
 * How a child ended, with the command that ran.
 *
 * @example
 * ```ts
 * import type { SpawnResult } from "./result.ts"
 *
 * const describe = (result: SpawnResult): string => result.shortMessage ?? `${result.command} succeeded`
 * ```
 */
export interface SpawnResult extends ExitResult, Termination {
  readonly command: string
  /** A non-zero exit, a signal, a timeout, a cancel or too much output. */
  readonly failed: boolean
  /** One line when `failed`, e.g. `Command failed with exit code 2: make test`; undefined otherwise. */
  readonly shortMessage: string | undefined
  /** `shortMessage`, then the fence's diagnosis and (for `run`) stderr and stdout; undefined unless `failed`. */
  readonly message: string | undefined
}

/**
 * How a child ended and what it printed, shaped by `encoding`, `lines` and `all`.
 *
 * @example
 * ```ts
 * import type { RunResult } from "./result.ts"
 *
 * const firstByte = (result: RunResult<"buffer">): number | undefined => result.stdout[0]
 * ```
 */
export interface RunResult<Enc extends Encoding = "utf8", Lines extends boolean = false, All extends boolean = false> extends SpawnResult {
  readonly stdout: Output<Enc, Lines>
  readonly stderr: Output<Enc, Lines>
  /** stdout and stderr interleaved in the order they arrived; undefined unless `all: true`. */
  readonly all: All extends true ? Output<Enc, Lines> : undefined
  /** An output stream went past `maxBuffer`: the child was stopped and the output cut there. */
  readonly isMaxBuffer: boolean
}

/** SIGKILL was sent and is what ended the child (not, say, the kill signal just before it, with only a straggler left). */
const forced = (exit: ExitResult, ended: Ended<unknown>): boolean => ended.isForcefullyTerminated && exit.signal === "SIGKILL"

const outcome = (exit: ExitResult, command: string, ended: Ended<unknown>, settings: Settings, overflowed: Collected["overflowed"]): Outcome => ({
  command,
  exitCode: exit.exitCode,
  signal: exit.signal,
  diagnosis: exit.diagnosis,
  reason: ended.reason,
  isForcefullyTerminated: forced(exit, ended),
  overflowed,
  timeout: settings.timeout,
  maxBuffer: settings.maxBuffer,
  forceKillAfterDelay: settings.forceKillAfterDelay
})

const asText = (output: Collected["stdout"]): string =>
  typeof output === "string" ? output : output instanceof Uint8Array ? "" : output.join("\n")

/**
 * The result of `spawn`.
 *
 * @example
 * ```ts
 * import { defaultSettings } from "./options.ts"
 * import { spawnResult } from "./result.ts"
 *
 * const exit = { pid: 7, exitCode: 2, signal: undefined, durationMs: 5, diagnosis: undefined }
 * const ended = { value: exit, reason: undefined, timedOut: false, isCanceled: false, isForcefullyTerminated: false }
 * spawnResult(exit, "make test", ended, defaultSettings).shortMessage // "Command failed with exit code 2: make test"
 * ```
 */
export const spawnResult = (exit: ExitResult, command: string, ended: Ended<unknown>, settings: Settings): SpawnResult =>
  described(exit, ended, outcome(exit, command, ended, settings, undefined), [])

const described = (exit: ExitResult, ended: Ended<unknown>, facts: Outcome, output: ReadonlyArray<string>): SpawnResult => ({
  ...exit,
  command: facts.command,
  timedOut: ended.timedOut,
  isCanceled: ended.isCanceled,
  isForcefullyTerminated: facts.isForcefullyTerminated,
  failed: failed(facts),
  shortMessage: shortMessage(facts),
  message: longMessage(facts, output)
})

/**
 * The result of `run`: `collected` is in the shape `settings` asked for, which
 * the type parameters (inferred from the same options) describe.
 *
 * @example
 * ```ts
 * import { defaultSettings } from "./options.ts"
 * import { runResult } from "./result.ts"
 *
 * const exit = { pid: 7, exitCode: 0, signal: undefined, durationMs: 5, diagnosis: undefined }
 * const ended = { value: exit, reason: undefined, timedOut: false, isCanceled: false, isForcefullyTerminated: false }
 * runResult(exit, "echo hi", ended, defaultSettings, { stdout: "hi\n", stderr: "", all: undefined, overflowed: undefined }).stdout // "hi\n"
 * ```
 */
export const runResult = <Enc extends Encoding, Lines extends boolean, All extends boolean>(
  exit: ExitResult,
  command: string,
  ended: Ended<unknown>,
  settings: Settings,
  collected: Collected
): RunResult<Enc, Lines, All> => {
  const facts = outcome(exit, command, ended, settings, collected.overflowed)
  return {
    ...described(exit, ended, facts, [asText(collected.stderr), asText(collected.stdout)]),
    stdout: collected.stdout as Output<Enc, Lines>,
    stderr: collected.stderr as Output<Enc, Lines>,
    all: collected.all as RunResult<Enc, Lines, All>["all"],
    isMaxBuffer: collected.overflowed !== undefined
  }
}
