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
 * import type { Notification } from "kakoi/seccomp"
 * import { reportLine } from "./notify-report.ts"
 *
 * const mkdir: Notification = { id: 1n, pid: 4242, syscall: 83, name: "mkdir", arch: 0xc000003e, args: [0x7ffcn, 0o777n, 0n, 0n, 0n, 0n], instructionPointer: 0n, rule: 0 }
 * reportLine(mkdir, true) // 'kakoi: notify: pid 4242 mkdir (83) args 0x7ffc, 0x1ff, 0x0, 0x0, 0x0, 0x0: allowed'
 * ```
 */
export const reportLine = (notification: Notification, observe: boolean): string =>
  `kakoi: notify: pid ${notification.pid} ${notification.name} (${notification.syscall}) args ${notification.args.map(hex).join(", ")}: ${observe ? "allowed" : "denied with EPERM"}`

/**
 * The handler behind --notify: report, then deny (or allow when observing).
 *
 * @example
 * ```ts
 * import { run } from "kakoi/node"
 * import { policy, seccomp } from "kakoi/seccomp"
 * import { reporter } from "./notify-report.ts"
 *
 * const notifyMkdir = policy((rule) => rule.notify("mkdir"), { default: "allow" })
 * const fence = seccomp(notifyMkdir, { notify: { handler: reporter((line) => process.stderr.write(`${line}\n`), false) } })
 * const result = await run(["mkdir", "/tmp/kakoi-example"], { plugins: [fence] })
 * result.exitCode // 1: stderr had "kakoi: notify: pid … mkdir (83) args …: denied with EPERM"
 * ```
 */
export const reporter = (write: (line: string) => void, observe: boolean): NotifyHandler => (notification) => {
  write(reportLine(notification, observe))
  return observe ? answer.allow() : answer.fail("EPERM")
}
