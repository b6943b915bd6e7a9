/**
 * The execa-style options of `run` and `spawn` (how long a child may run, how
 * it is stopped, how its output is collected), their defaults, and the strict
 * check that turns a bad value into a typed error before anything starts.
 */
import { Effect, Result } from "effect"
import { SpawnError } from "../errors.ts"
import { isSignalName, type SignalName } from "../signals.ts"

/**
 * How `run` hands back stdout, stderr and `all`: decoded UTF-8 text, or the exact bytes.
 *
 * @example
 * ```ts
 * import type { Encoding } from "./options.ts"
 *
 * const exact: Encoding = "buffer"
 * ```
 */
export type Encoding = "utf8" | "buffer"

/**
 * When and how a child is stopped before it ends by itself.
 *
 * @example
 * ```ts
 * import type { TerminationOptions } from "./options.ts"
 *
 * const patient: TerminationOptions = { timeout: 60_000, killSignal: "SIGINT", forceKillAfterDelay: 10_000 }
 * ```
 */
export interface TerminationOptions {
  /** Stop the child (with `killSignal`) after this many milliseconds; 0 or omitted: no limit. */
  readonly timeout?: number
  /** Stop the child (with `killSignal`) when this signal aborts. */
  readonly cancelSignal?: AbortSignal
  /** The signal a timeout, a cancel, `maxBuffer` or `kill()` sends. Default SIGTERM. */
  readonly killSignal?: SignalName
  /**
   * Milliseconds between `killSignal` and a SIGKILL when the child (or, for
   * `run`, anything holding its output open) is still there. Default 5000;
   * `false` never sends SIGKILL.
   */
  readonly forceKillAfterDelay?: number | boolean
  /**
   * Run the child as the leader of its own session and process group (setsid),
   * so stopping it reaches every process it started. Default true.
   */
  readonly processGroup?: boolean
}

/**
 * How `run` collects the child's output.
 *
 * @example
 * ```ts
 * import type { OutputOptions } from "./options.ts"
 *
 * const logs: OutputOptions<"utf8", true, true> = { lines: true, all: true, maxBuffer: 1_000_000 }
 * ```
 */
export interface OutputOptions<Enc extends Encoding = Encoding, Lines extends boolean = boolean, All extends boolean = boolean> {
  /** "utf8" (default): strings. "buffer": Uint8Array, byte for byte. */
  readonly encoding?: Enc
  /** Split each stream into an array of lines without their line endings. Text only. */
  readonly lines?: Lines
  /** Also collect stdout and stderr interleaved, in the order they arrived, into `all`. */
  readonly all?: All
  /** Most bytes kept per stream; past it the child is stopped and `isMaxBuffer` is true. Default 100 MB. */
  readonly maxBuffer?: number
}

/**
 * The type of `stdout`/`stderr` for the options given.
 *
 * @example
 * ```ts
 * import type { Output } from "./options.ts"
 *
 * const bytes: Output<"buffer", false> = new Uint8Array([0xff, 0xfe])
 * const lines: Output<"utf8", true> = ["first", "second"]
 * ```
 */
export type Output<Enc extends Encoding, Lines extends boolean> = Enc extends "buffer" ? Uint8Array
  : Lines extends true ? ReadonlyArray<string>
  : string

/**
 * The options after defaults, as the run machinery uses them.
 *
 * @example
 * ```ts
 * import { defaultSettings, type Settings } from "./options.ts"
 *
 * const limited: Settings = { ...defaultSettings, timeout: 300 }
 * ```
 */
export interface Settings {
  readonly timeout: number | undefined
  readonly cancelSignal: AbortSignal | undefined
  readonly killSignal: SignalName
  readonly forceKillAfterDelay: number | undefined
  readonly processGroup: boolean
  readonly encoding: Encoding
  readonly lines: boolean
  readonly all: boolean
  readonly maxBuffer: number
}

/**
 * The defaults, as execa has them.
 *
 * @example
 * ```ts
 * import { defaultSettings } from "./options.ts"
 *
 * defaultSettings.forceKillAfterDelay // 5000
 * ```
 */
export const defaultSettings: Settings = {
  timeout: undefined,
  cancelSignal: undefined,
  killSignal: "SIGTERM",
  forceKillAfterDelay: 5000,
  processGroup: true,
  encoding: "utf8",
  lines: false,
  all: false,
  maxBuffer: 100_000_000
}

const invalid = (detail: string): SpawnError => new SpawnError({ reason: "InvalidSpec", command: "", detail })

// A value as the caller wrote it: JSON has no Infinity or NaN and would say "null", a value nobody passed.
const shown = (value: unknown): string => typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value)

const atLeastZero = (name: string, value: unknown, unit: "milliseconds" | "bytes"): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalid(`"${name}" must be a number of ${unit} >= 0, got ${shown(value)}`)
  }
  return value
}

const flag = (name: string, value: unknown, fallback: boolean): boolean => {
  if (value === undefined) return fallback
  if (typeof value !== "boolean") throw invalid(`"${name}" must be true or false, got ${shown(value)}`)
  return value
}

const isAbortSignal = (value: unknown): value is AbortSignal =>
  typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean" &&
  typeof (value as AbortSignal).addEventListener === "function"

const known = <A extends string>(name: string, value: unknown, allowed: ReadonlyArray<A>, fallback: A): A => {
  if (value === undefined) return fallback
  if (typeof value === "string" && (allowed as ReadonlyArray<string>).includes(value)) return value as A
  throw invalid(`"${name}" must be ${allowed.map((option) => `"${option}"`).join(" or ")}, got ${shown(value)}`)
}

/**
 * Check the options and fill in defaults; fails with a `SpawnError` "InvalidSpec"
 * that names the option, so a typo'd value never silently means "no limit".
 *
 * @example
 * ```ts
 * import { Effect, Result } from "effect"
 * import { settings } from "./options.ts"
 *
 * const checked = Effect.runSync(settings({ timeout: 300, encoding: "buffer" })) // { timeout: 300, killSignal: "SIGTERM", ... }
 * ```
 */
export const settings = (options: TerminationOptions & OutputOptions): Effect.Effect<Settings, SpawnError> =>
  Effect.suspend(() => Effect.fromResult(settingsChecked(options)))

/**
 * `settings` as a plain call, for the spawn path.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { settingsChecked } from "./options.ts"
 *
 * Result.isFailure(settingsChecked({ timeout: -1 })) // true: "timeout" must be at least 0
 * ```
 */
export const settingsChecked = (options: TerminationOptions & OutputOptions): Result.Result<Settings, SpawnError> => {
  try {
    return Result.succeed(settingsOrThrow(options))
  } catch (error) {
    return Result.fail(error instanceof SpawnError ? error : invalid(String(error)))
  }
}

/** The checks and defaults of `settings`; throws the SpawnError for a bad value. */
const settingsOrThrow = (options: TerminationOptions & OutputOptions): Settings => {
  const { timeout, cancelSignal, killSignal, forceKillAfterDelay, maxBuffer } = options
  if (cancelSignal !== undefined && !isAbortSignal(cancelSignal)) throw invalid(`"cancelSignal" must be an AbortSignal`)
  if (killSignal !== undefined && !(typeof killSignal === "string" && isSignalName(killSignal))) {
    throw invalid(`"killSignal" must be a signal name such as "SIGTERM", got ${shown(killSignal)}`)
  }
  const encoding = known("encoding", options.encoding, ["utf8", "buffer"], defaultSettings.encoding)
  const lines = flag("lines", options.lines, false)
  if (lines && encoding === "buffer") throw invalid(`"lines" splits text: it cannot be combined with encoding "buffer"`)
  const timeoutMs = timeout === undefined ? 0 : atLeastZero("timeout", timeout, "milliseconds")
  return {
    timeout: timeoutMs === 0 ? undefined : timeoutMs,
    cancelSignal,
    killSignal: killSignal ?? defaultSettings.killSignal,
    forceKillAfterDelay: forceKillAfterDelay === false ? undefined
      : forceKillAfterDelay === undefined || forceKillAfterDelay === true ? defaultSettings.forceKillAfterDelay
      : atLeastZero("forceKillAfterDelay", forceKillAfterDelay, "milliseconds"),
    processGroup: flag("processGroup", options.processGroup, defaultSettings.processGroup),
    encoding,
    lines,
    all: flag("all", options.all, false),
    maxBuffer: maxBuffer === undefined ? defaultSettings.maxBuffer : atLeastZero("maxBuffer", maxBuffer, "bytes")
  }
}
