/**
 * The `kakoi` command: dispatch to a subcommand and turn every failure into
 * one readable line and an exit status (2 for usage and policy mistakes,
 * 127 command not found, 126 cannot execute, 125 kakoi itself failed).
 */
import { diffHelp, doctorHelp, explainHelp, exportHelp, learnHelp, lintHelp, mainHelp, runHelp, superviseHelp, syscallHelp, UsageError, type CliIo } from "./usage.ts"

const helps: Record<string, string> = { run: runHelp, learn: learnHelp, syscall: syscallHelp, export: exportHelp, explain: explainHelp, diff: diffHelp, lint: lintHelp, supervise: superviseHelp, doctor: doctorHelp }

// By package name, not a relative path: the built CLI is a bundle in dist/cli, not this file's place in the source.
// node:fs as CommonJS hands it out: an ES import would build its facade on every start (cli/bundle-loader.ts).
const version = (): string =>
  JSON.parse(process.getBuiltinModule("node:fs").readFileSync(new URL(import.meta.resolve("kakoi/package.json")), "utf8")).version as string

const dispatch = async (command: string | undefined, args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  switch (command) {
    case undefined:
    case "-h":
    case "--help":
      io.out(mainHelp)
      return 0
    case "-V":
    case "--version":
      io.out(version())
      return 0
    case "help": {
      const [topic] = args
      const text = topic === undefined ? mainHelp : helps[topic]
      // The hint must not be `kakoi help --help`: that asks for help on a command named "--help".
      if (text === undefined) throw new UsageError("", `Unknown command "${topic}"`)
      io.out(text)
      return 0
    }
    case "run":
      return (await import("./run.ts")).runCommand(args, io)
    case "learn":
      return (await import("./learn.ts")).learnCommand(args, io)
    case "syscall":
    case "export":
    case "explain":
    case "diff":
    case "lint":
      return (await import("./effect-commands.ts")).runEffectCommand(command, args, io)
    case "supervise":
      return (await import("./supervise.ts")).superviseCommand(args, io)
    case "doctor":
      return (await import("./doctor.ts")).doctorCommand(args, io)
    default:
      throw new UsageError("", `Unknown command "${command}"`)
  }
}

/** The exit status and message for an error that reached the top. */
const failure = (error: unknown): { readonly status: number; readonly message: string } => {
  const tagged = error as { readonly _tag?: string; readonly reason?: string; readonly message?: string; readonly command?: string }
  // By tag, not instanceof: a subcommand's bundle has its own copy of UsageError.
  switch (tagged._tag) {
    case "UsageError": {
      const help = tagged.command === "" ? "kakoi --help" : `kakoi ${tagged.command} --help`
      return { status: 2, message: `${tagged.message}\nTry '${help}' for more information` }
    }
    // A fence option written wrong is a usage mistake; a fence this host or build cannot give is kakoi's failure.
    case "FenceError":
      return { status: tagged.reason === "InvalidOption" ? 2 : 125, message: tagged.message ?? String(error) }
    case "PolicyError":
    case "SyscallError":
    case "BpfError":
    case "RlimitError":
      return { status: 2, message: tagged.message ?? String(error) }
    case "SupervisorError":
      // A mistake in the tree is the user's, like a bad policy; giving up is the tree's own end.
      return { status: tagged.reason === "InvalidSpec" ? 2 : 1, message: tagged.message ?? String(error) }
    case "SpawnError":
      return {
        // InvalidSpec: a bad option value (e.g. an empty --cwd) is the user's mistake, like a bad policy.
        status: tagged.reason === "CommandNotFound" ? 127 : tagged.reason === "PermissionDenied" || tagged.reason === "ExecFailed" ? 126 : tagged.reason === "InvalidSpec" ? 2 : 125,
        message: tagged.message ?? String(error)
      }
    default:
      return { status: 125, message: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * Run the command line `argv` (without the program name); resolves with the exit status.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts"
 *
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * process.exitCode = await main(["run", "--errno", "EPERM:mkdir,mkdirat", "--", "mkdir", "/tmp/x"], io) // 1
 * ```
 */
export const main = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const [command, ...args] = argv
  try {
    return await dispatch(command, args, io)
  } catch (error) {
    const { status, message } = failure(error)
    io.err(`kakoi: ${message}`)
    return status
  }
}
