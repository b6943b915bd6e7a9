/**
 * The subcommands written as Effects over libseccomp (syscall, export, explain,
 * diff, lint), run to an exit status. They are loaded together, apart from
 * main.ts: the shipped CLI bundles each part main.ts loads on its own, so an
 * Effect must be run by the effect that built it, in this module's bundle.
 */
import { Cause, Effect, Exit } from "effect"
import { layer as libseccomp } from "../adapters/node/libseccomp.ts"
import type { SeccompLibrary } from "../plugins/seccomp/library.ts"
import { diffCommand } from "./diff.ts"
import { explainCommand } from "./explain.ts"
import { exportCommand } from "./export.ts"
import { lintCommand } from "./lint.ts"
import { syscallCommand } from "./syscall.ts"
import type { CliIo } from "./usage.ts"

/**
 * The name of a subcommand this module runs.
 *
 * @example
 * ```ts
 * import type { EffectCommand } from "./effect-commands.ts"
 *
 * const command: EffectCommand = "lint"
 * ```
 */
export type EffectCommand = "syscall" | "export" | "explain" | "diff" | "lint"

type Command = (args: ReadonlyArray<string>, io: CliIo) => Effect.Effect<number, unknown, SeccompLibrary>

const commands: Readonly<Record<EffectCommand, Command>> = { syscall: syscallCommand, export: exportCommand, explain: explainCommand, diff: diffCommand, lint: lintCommand }

/**
 * Runs subcommand `name` with libseccomp bound; resolves with its exit status
 * and rejects with its error (a `UsageError`, `PolicyError`, ...) for main.ts to report.
 *
 * @example
 * ```ts
 * import { runEffectCommand } from "./effect-commands.ts"
 *
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await runEffectCommand("syscall", ["mkdir"], io) // prints "83", resolves with 0
 * ```
 */
export const runEffectCommand = async (name: EffectCommand, args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const exit = await Effect.runPromiseExit(commands[name](args, io).pipe(Effect.provide(libseccomp)))
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}
