/**
 * The signals whoever started kakoi ignored (`nohup`'s SIGHUP, a background
 * job's SIGINT and SIGQUIT), which Node forgets: it sets every disposition it
 * does not use itself back to the default before any JavaScript runs. The
 * `kakoi` executable starts as a shell script (cli/bin.ts, its first lines)
 * that reads its own `SigIgn` from /proc before it execs Node, and hands it
 * over in KAKOI_IGNORED_SIGNALS; `kakoi run` ignores those signals again, for
 * itself (so it survives them, as it was meant to) and so its child inherits
 * them ignored, as it would without kakoi.
 */
import { signalNumber, type SignalName } from "../core/signals.ts"

/** The variable the shell part of the `kakoi` executable sets: SigIgn's hex mask (bit n-1 for signal n). */
const ignoredSignalsVariable = "KAKOI_IGNORED_SIGNALS"

/**
 * The signals kakoi may ignore for itself: stops, hangups and requests. Not a
 * fault (SIGSEGV is how V8 traps WebAssembly), not SIGCHLD (ignored, the
 * kernel would reap kakoi's children before it could), not what Node uses
 * itself (SIGPIPE, SIGXFSZ are ignored already).
 */
const restorable: ReadonlySet<SignalName> = new Set(["SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTERM", "SIGTSTP", "SIGTTIN", "SIGTTOU"])

/**
 * Takes the variable out of `env` (no child of kakoi gets it) and reads the
 * signals in it that kakoi ignores again; none for a missing or malformed one.
 *
 * @example
 * ```ts
 * import { takeIgnoredSignals } from "./ignored-signals.ts"
 *
 * const env: Record<string, string | undefined> = { KAKOI_IGNORED_SIGNALS: "\t0000000000000001" }
 * takeIgnoredSignals(env) // ["SIGHUP"], and env has no KAKOI_IGNORED_SIGNALS any more
 * ```
 */
export const takeIgnoredSignals = (env: Record<string, string | undefined>): ReadonlyArray<SignalName> => {
  const text = env[ignoredSignalsVariable]?.trim() ?? ""
  delete env[ignoredSignalsVariable]
  if (!/^[0-9a-f]{1,16}$/i.test(text)) return []
  const mask = BigInt(`0x${text}`)
  return [...restorable].filter((name) => (mask >> BigInt(signalNumber(name) - 1)) & 1n)
}

/**
 * The signals of `wanted` that kakoi passes on or stops for, without the ones
 * it ignores.
 *
 * @example
 * ```ts
 * import { notIgnored } from "./ignored-signals.ts"
 *
 * notIgnored(["SIGTERM", "SIGHUP"], ["SIGHUP"]) // ["SIGTERM"]
 * ```
 */
export const notIgnored = <S extends SignalName>(wanted: ReadonlyArray<S>, ignored: ReadonlyArray<SignalName>): ReadonlyArray<S> =>
  wanted.filter((signal) => !ignored.includes(signal))
