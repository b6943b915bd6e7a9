/**
 * `kakoi run --notify`: the seed's on_trap example as a CLI. Each notified
 * call is reported on stderr as one line (pid, syscall name and number, the
 * six args) and failed with EPERM, or let through with --observe.
 */
import { answer, type Notification, type NotifyHandler } from "../plugins/seccomp/mod.ts"

const hex = (value: bigint): string => `0x${value.toString(16)}`

/**
 * One report line: `kakoi: notify: pid 4242 mkdir (83) args 0x7ffc…, 0x1ff, 0x0, 0x0, 0x0, 0x0: denied with EPERM`.
 *
 * @example
 * ```ts
 * reportLine(notification, true) // '... : allowed'
 * ```
 */
export const reportLine = (notification: Notification, observe: boolean): string =>
  `kakoi: notify: pid ${notification.pid} ${notification.name} (${notification.syscall}) args ${notification.args.map(hex).join(", ")}: ${observe ? "allowed" : "denied with EPERM"}`

/**
 * The handler behind --notify: report, then deny (or allow when observing).
 *
 * @example
 * ```ts
 * seccomp(policy, { notify: { handler: reporter((line) => process.stderr.write(`${line}\n`), false) } })
 * ```
 */
export const reporter = (write: (line: string) => void, observe: boolean): NotifyHandler => (notification) => {
  write(reportLine(notification, observe))
  return observe ? answer.allow() : answer.fail("EPERM")
}
