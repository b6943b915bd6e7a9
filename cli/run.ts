/**
 * `kakoi run`: run a command with stdio inherited under a seccomp policy and
 * resource limits; exit with its status, or 128+signal.
 */
import { Effect, Result } from "effect"
import { signalNumber } from "../core/signals.ts"
import type { Plugin } from "../core/plugin.ts"
import { spawn, type Child, type NodeServices, type SpawnResult } from "../adapters/node/mod.ts"
import { parseRlimits, rlimit } from "../plugins/rlimit/mod.ts"
import { compile, seccomp, type Policy, type PolicyError } from "../plugins/seccomp/mod.ts"
import { layer as libseccomp } from "../adapters/node/libseccomp.ts"
import { notIgnored } from "./ignored-signals.ts"
import { ignoreAgain } from "./ignore-again.ts"
import { reporter } from "./notify-report.ts"
import { about, ociOptions, profileOptions } from "./policy-file.ts"
import { containmentFromFlags, sandboxOptions, sandboxPlugin } from "./sandbox-flags.ts"
import { policyFromFlags, ruleOptions } from "./policy-options.ts"
import { runHelp, parseOptions, splitAtCommand, UsageError, type CliIo } from "./usage.ts"

const repeated: { type: "string"; multiple: true; default: Array<string> } = { type: "string", multiple: true, default: [] }

const options = {
  help: { type: "boolean", short: "h" },
  policy: { type: "string" },
  ...profileOptions,
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
  observe: { type: "boolean" },
  ...sandboxOptions
} as const

const parse = (args: ReadonlyArray<string>) => {
  const { own, command } = splitAtCommand(args, options)
  return { ...parseOptions("run", { args: own, options }), command }
}

/**
 * Signals kakoi passes on to the child instead of dying of them. SIGINT too:
 * a parent that stops kakoi with it must reach the child. (Ctrl-C in a
 * terminal reaches the child directly as well, since it stays in kakoi's
 * process group for the terminal's sake, so it then sees SIGINT twice.)
 */
const forwarded = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const

/**
 * What compiling finds in --policy's rules (an unknown syscall name) names the file, as kakoi lint
 * and explain do; the options' rules, which come after the file's, are no file's.
 */
const aboutPolicyFile = <A, R>(policy: Policy, values: ReturnType<typeof parse>["values"], compiled: Effect.Effect<A, PolicyError, R>): Effect.Effect<A, PolicyError, R> => {
  const file = values.policy
  if (file === undefined) return compiled
  const fromFile = policy.rules.length - ruleOptions.reduce((count, action) => count + values[action].length, values.errno.length)
  return Effect.catchIf(compiled, (error) => Number(/^rules\[(\d+)\]/.exec(error.path ?? "")?.[1] ?? fromFile) < fromFile, (error) => about(policy, file, Effect.fail(error)))
}

/**
 * Runs `kakoi run`: resolves with the command's exit status (or 128+signal), rejects with a
 * `UsageError` for a mistake on the command line.
 *
 * @example
 * ```ts
 * import { runCommand } from "./run.ts"
 *
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await runCommand(["--errno", "EPERM:mkdir,mkdirat", "--", "mkdir", "/tmp/x"], io) // 1: mkdir said "Operation not permitted"
 * ```
 */
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
      rules: ruleOptions.flatMap((action) => values[action].map((syscalls) => ({ action, syscalls }))),
      profile: ociOptions(values)
    })
  )
  if (policy !== undefined) {
    // Compiled once here (the plugin reuses it) so what the policy may not mean is said before the command runs.
    const { warnings } = await Effect.runPromise(Effect.provide(aboutPolicyFile(policy, values, compile(policy)), libseccomp))
    for (const warning of warnings) io.err(`kakoi: warning: ${warning.message}`)
  }
    const plugins: Array<Plugin<unknown, NodeServices>> = [rlimit(limits.success)]
  // Notified calls (--notify, or a policy's notify rules) are reported on stderr; --observe lets them run.
  if (policy !== undefined) plugins.push(seccomp(policy, { notify: { handler: reporter(io.err, values.observe === true) } }))
  const fences = sandboxPlugin(values)
  if (fences !== undefined) plugins.push(fences)

  // The handlers go in before spawn: the target runs before spawn resolves, and a signal in between
  // must not kill kakoi by default action. Signals that come before the child exists are passed on once it does.
  let child: Child | undefined
  const pending: Array<(typeof forwarded)[number]> = []
  const forward = (signal: (typeof forwarded)[number]) => () => (child === undefined ? pending.push(signal) : child.kill(signal))
  // What kakoi's starter ignored (nohup's SIGHUP) is ignored again, before the first spawn (the launcher then
  // keeps it ignored for the child), and not passed on: the child would otherwise die of a hangup nohup was for.
  const ignored = ignoreAgain(io)
  const handlers = notIgnored(forwarded, ignored).map((signal) => [signal, forward(signal)] as const)
  for (const [signal, handler] of handlers) process.on(signal, handler)
  let result: Awaited<Child["result"]>
  try {
    // In kakoi's own process group, so the child keeps the terminal; kakoi only passes signals on and never escalates them.
    child = await spawn(command, {
      stdio: "inherit",
      plugins,
      processGroup: false,
      forceKillAfterDelay: false,
      ...containmentFromFlags(values),
      ...(values.cwd === undefined ? {} : { cwd: values.cwd })
    })
    for (const signal of pending) child.kill(signal)
    result = await child.result
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }

  return exitStatus(result, io)
}

/**
 * kakoi's exit status for how the command ended: its own, or 128+signal;
 * when the seccomp filter ended it, one line on stderr says so.
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi/node"
 * import { exitStatus } from "./run.ts"
 * import type { CliIo } from "./usage.ts"
 *
 * const io: CliIo = { out: console.log, err: console.error, bytes: () => {} }
 * const child = await spawn(["sh", "-c", "kill -TERM $$"])
 * exitStatus(await child.result, io) // 143 (128 + SIGTERM)
 * ```
 */
export const exitStatus = (result: SpawnResult, io: CliIo): number => {
  if (result.diagnosis !== undefined) io.err(`kakoi: ${result.diagnosis.message}: ${result.command}`)
  return result.signal === undefined ? (result.exitCode ?? 1) : 128 + signalNumber(result.signal)
}
