/**
 * `kakoi run`: run a command with stdio inherited under a seccomp policy and
 * resource limits; exit with its status, or 128+signal.
 */
import { Effect, Result } from "effect"
import { signalNumber } from "../core/signals.ts"
import type { Plugin } from "../core/plugin.ts"
import { spawn, type Child } from "../adapters/node/mod.ts"
import { parseRlimits, rlimit } from "../plugins/rlimit/mod.ts"
import { seccomp } from "../plugins/seccomp/mod.ts"
import { reporter } from "./notify-report.ts"
import { policyFromFlags, ruleOptions } from "./policy-options.ts"
import { runHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

const repeated: { type: "string"; multiple: true; default: Array<string> } = { type: "string", multiple: true, default: [] }

const options = {
  help: { type: "boolean", short: "h" },
  policy: { type: "string" },
  default: { type: "string" },
  errno: repeated,
  rlimit: repeated,
  cwd: { type: "string" },
  allow: repeated,
  kill: repeated,
  "kill-thread": repeated,
  trap: repeated,
  log: repeated,
  notify: repeated,
  observe: { type: "boolean" }
} as const

/**
 * kakoi's own options end at "--" or at the first word that is not an option,
 * like env(1) and timeout(1): `kakoi run --trap uname sh -c uname` runs `sh -c uname`.
 */
const splitAtCommand = (args: ReadonlyArray<string>): { readonly own: Array<string>; readonly command: Array<string> } => {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? ""
    if (arg === "--") return { own: args.slice(0, index), command: args.slice(index + 1) }
    if (!arg.startsWith("-") || arg === "-") return { own: args.slice(0, index), command: args.slice(index) }
    const name = arg.replace(/^--?/, "").split("=")[0] ?? ""
    const takesValue = Object.hasOwn(options, name) && options[name as keyof typeof options].type === "string"
    if (takesValue && !arg.includes("=")) index++
  }
  return { own: [...args], command: [] }
}

const parse = (args: ReadonlyArray<string>) => {
  const { own, command } = splitAtCommand(args)
  return { ...parseOptions("run", { args: own, options }), command }
}

/** Signals the supervisor passes on to the child instead of dying of them. */
const forwarded = ["SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const

export const runCommand = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { values, command } = parse(args)
  if (values.help) {
    io.out(runHelp)
    return 0
  }
  if (command.length === 0) throw new UsageError("run", "No command given: put it after --, e.g. kakoi run --trap uname -- uname")
  const limits = parseRlimits(values.rlimit)
  if (Result.isFailure(limits)) throw new UsageError("run", limits.failure.message)
  const policy = await Effect.runPromise(
    policyFromFlags({
      command: "run",
      policy: values.policy,
      default: values.default,
      errno: values.errno,
      rules: ruleOptions.flatMap((action) => values[action].map((syscalls) => ({ action, syscalls })))
    })
  )
  const plugins: Array<Plugin<any, any>> = [rlimit(limits.success)]
  // Notified calls (--notify, or a policy's notify rules) are reported on stderr; --observe lets them run.
  if (policy !== undefined) plugins.push(seccomp(policy, { notify: { handler: reporter(io.err, values.observe === true) } }))

  // The handlers go in before spawn: the target runs before spawn resolves, and a signal in between
  // must not kill kakoi by default action. Signals that come before the child exists are passed on once it does.
  let child: Child | undefined
  const pending: Array<(typeof forwarded)[number]> = []
  const forward = (signal: (typeof forwarded)[number]) => () => (child === undefined ? pending.push(signal) : child.kill(signal))
  const handlers = forwarded.map((signal) => [signal, forward(signal)] as const)
  for (const [signal, handler] of handlers) process.on(signal, handler)
  // Ctrl-C reaches the child through the terminal's process group; the supervisor waits for it.
  const ignoreInterrupt = () => {}
  process.on("SIGINT", ignoreInterrupt)
  let result: Awaited<Child["result"]>
  try {
    child = await spawn(command, { stdio: "inherit", plugins, ...(values.cwd === undefined ? {} : { cwd: values.cwd }) })
    for (const signal of pending) child.kill(signal)
    result = await child.result
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler)
    process.off("SIGINT", ignoreInterrupt)
  }

  if (result.diagnosis !== undefined) io.err(`kakoi: ${result.diagnosis.message}: ${result.command}`)
  return result.signal === undefined ? (result.exitCode ?? 1) : 128 + signalNumber(result.signal)
}
