/**
 * The one step of every command that starts a child (run, learn, supervise)
 * for the signals kakoi's starter ignored (cli/ignored-signals.ts read them):
 * ignore them again in this process, whose runtime set them back to the default.
 */
import { nodeLibc } from "../adapters/node/native.ts"
import { ignoreSignals } from "../core/launch/inherit.ts"
import { signalNumber, type SignalName } from "../core/signals.ts"
import type { CliIo } from "./usage.ts"

/**
 * Ignores again, in this process, the signals kakoi's starter ignored
 * (nohup's SIGHUP, a background job's SIGINT and SIGQUIT), before the first
 * spawn so the launcher keeps them ignored for the child, and gives them back
 * for the caller not to pass on or stop for. Every command that starts one
 * (run, learn, supervise) calls it.
 *
 * @example
 * ```ts
 * import { ignoreAgain } from "./ignore-again.ts"
 *
 * ignoreAgain({ out: console.log, err: console.error, bytes: () => {}, ignoredSignals: ["SIGHUP"] }) // ["SIGHUP"], now SIG_IGN
 * ```
 */
export const ignoreAgain = (io: CliIo): ReadonlyArray<SignalName> => {
  const ignored = io.ignoredSignals ?? []
  if (ignored.length > 0) ignoreSignals(nodeLibc(), ignored.map(signalNumber))
  return ignored
}
