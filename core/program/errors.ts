/** The typed error of compiling a child program: the input cannot be run as asked, so nothing is started. */
import * as Data from "effect/Data"
import type { Cause } from "effect"

/**
 * Why a child program could not be compiled.
 * - `NulByte`: a string the kernel reads as C string contains NUL (it would be cut there)
 * - `EmptyArgv`: no command at all
 * - `BadFd`: a parent fd the program maps is not an integer >= 10 (a lower one could be clobbered)
 * - `BadSignal`: a signal number outside 1..64
 * - `BadFilter`: a BPF program that is empty, too long, or not whole instructions
 * - `TwoListeners`: more than one seccomp step asks for a notify listener (the kernel allows one)
 * - `BadValue`: a number outside what its field can hold
 * - `UnconfinedInit`: a pid-namespace init without a Landlock step (its target could ptrace it)
 * - `Conflict`: steps that cannot go together (two different user-namespace maps, setgroups in a
 *   user namespace the child maps itself, more supervisor fds or carried mounts than the program has room for)
 *
 * @example
 * ```ts
 * const reason: ProgramErrorReason = "NulByte"
 * ```
 */
export type ProgramErrorReason = "NulByte" | "EmptyArgv" | "BadFd" | "BadSignal" | "BadFilter" | "TwoListeners" | "BadValue" | "UnconfinedInit" | "Conflict"

interface ProgramErrorFields {
  readonly reason: ProgramErrorReason
  /** Which input: `argv[1]`, `env[3]`, `steps[0] (chdir)`, `stdio[2]`, ... */
  readonly subject: string
  readonly detail?: string | undefined
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const ProgramErrorBase: new (args: ProgramErrorFields) => Cause.YieldableError & {
  readonly _tag: "ProgramError"
} & Readonly<ProgramErrorFields> = Data.TaggedError("ProgramError")

/**
 * The child's program cannot be built from this input; no process was started.
 *
 * @example
 * ```ts
 * new ProgramError({ reason: "NulByte", subject: "argv[1]" }).message
 * // 'Cannot start the command: argv[1] contains a NUL byte, which would cut it short: remove it'
 * ```
 */
export class ProgramError extends ProgramErrorBase {
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    switch (this.reason) {
      case "NulByte":
        return `Cannot start the command: ${this.subject} contains a NUL byte, which would cut it short: remove it`
      case "EmptyArgv":
        return "Cannot start the command: argv is empty: give at least the command"
      case "BadFd":
        return `Cannot start the command: ${this.subject} must be a file descriptor >= 10${detail}`
      case "BadSignal":
        return `Cannot start the command: ${this.subject} is not a signal number (1 to 64)${detail}`
      case "BadFilter":
        return `Cannot start the command: ${this.subject} is not a usable BPF program${detail}`
      case "TwoListeners":
        return `Cannot start the command: ${this.subject} asks for a second seccomp notify listener: merge the notify rules into one policy`
      case "BadValue":
        return `Cannot start the command: ${this.subject} is out of range${detail}`
      case "UnconfinedInit":
        return `Cannot start the command: ${this.subject} needs a "landlock" step too: its init shares the supervisor's memory, and only a Landlock domain keeps the target from ptracing it`
      case "Conflict":
        return `Cannot start the command: ${this.subject} cannot go with the other steps${detail}`
    }
  }
}
