/** Errors of starting a child: each says what happened, then the command. */
import { Data, type Cause } from "effect"
import { errnoText } from "./errno.ts"
import type { LaunchFailure } from "./program/mod.ts"

/**
 * Why a child could not start: the command is missing or not executable, its
 * exec failed, a pre-exec step (chdir, rlimit, seccomp...) failed, the launcher
 * failed, or an option is invalid (`path` says which).
 *
 * @example
 * ```ts
 * import { run, SpawnError, type SpawnErrorReason } from "kakoi"
 *
 * const reason: SpawnErrorReason | undefined = await run(["no-such-command"])
 *   .then(() => undefined, (error: unknown) => (error instanceof SpawnError ? error.reason : undefined)) // "CommandNotFound"
 * ```
 */
export type SpawnErrorReason =
  | "CommandNotFound"
  | "PermissionDenied"
  | "ExecFailed"
  | "PreExecFailed"
  | "LauncherFailed"
  | "InvalidSpec"
  | "UnsupportedArchitecture"

interface SpawnErrorFields {
  readonly reason: SpawnErrorReason
  /** The command as text, for messages. */
  readonly command: string
  /** What went wrong in more detail: a child program stage, the runtime's error, a spec field. */
  readonly detail: string
  readonly errno?: number
  /** For "InvalidSpec": where in the options, as a JSON path (`stdio[1]`). */
  readonly path?: string | undefined
  /** The child program's report, when the failure is one (plugins' `failed` hooks explain it). */
  readonly failure?: LaunchFailure
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const SpawnErrorBase: new (args: SpawnErrorFields) => Cause.YieldableError & { readonly _tag: "SpawnError" } & Readonly<SpawnErrorFields> =
  Data.TaggedError("SpawnError")

/**
 * The child could not be started: nothing of the target ran. Its message says
 * what happened, then the command.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi"
 *
 * const program = runEffect(["no-such-command"]).pipe(
 *   Effect.catchTag("SpawnError", (error) => Effect.succeed(error.message)) // "Command not found: no-such-command"
 * )
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export class SpawnError extends SpawnErrorBase {
  override get message(): string {
    switch (this.reason) {
      case "CommandNotFound":
        return `Command not found: ${this.command}`
      case "PermissionDenied":
        return `Permission denied: ${this.command}`
      case "ExecFailed":
        return `Command failed to start with ${this.errno === undefined ? "an error" : errnoText(this.errno)}: ${this.command}`
      case "PreExecFailed":
        return `Could not prepare the child (${this.detail}${this.errno === undefined ? "" : `: ${errnoText(this.errno)}`}): ${this.command}`
      case "LauncherFailed":
        return `The launcher failed before starting the command (${this.detail}): ${this.command}`
      case "InvalidSpec":
        return `Invalid child spec${this.path === undefined ? "" : ` at ${this.path}`}: ${this.detail}`
      case "UnsupportedArchitecture":
        return this.detail
    }
  }
}

const preExecDetail: Record<string, (subject: string) => string> = {
  chdir: (subject) => `cannot change directory to "${subject}"`,
  rlimit: (subject) => `cannot set resource limit "${subject}"`,
  seccomp: () => "cannot install the seccomp filter",
  "seccomp-listener": (subject) => `cannot hand the seccomp listener to the supervisor: ${subject}`,
  "no-new-privs": () => "cannot set no-new-privs",
  "parent-death-signal": () => "cannot set the parent-death signal",
  "read-job": () => "cannot read the job from the control channel"
}

/**
 * The typed error for a failure report from the launcher.
 *
 * @example
 * ```ts
 * import { spawnErrorFromFailure } from "./errors.ts"
 *
 * spawnErrorFromFailure({ stage: "exec", errno: 2, subject: "/usr/bin/nope" }, "nope").message // "Command not found: nope"
 * ```
 */
export const spawnErrorFromFailure = (failure: LaunchFailure, command: string): SpawnError => {
  const { stage, errno, subject } = failure
  if (stage === "resolve" || stage === "exec") {
    if (errno === 2) return new SpawnError({ reason: "CommandNotFound", command, detail: subject, errno, failure })
    if (errno === 13) return new SpawnError({ reason: "PermissionDenied", command, detail: subject, errno, failure })
    return new SpawnError({ reason: "ExecFailed", command, detail: subject, errno, failure })
  }
  const describe = preExecDetail[stage]
  if (describe) return new SpawnError({ reason: "PreExecFailed", command, detail: describe(subject), errno, failure })
  return new SpawnError({ reason: "LauncherFailed", command, detail: `${stage}: ${subject}`, errno, failure })
}
