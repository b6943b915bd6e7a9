/**
 * `kakoi learn`: run a command with every syscall observed, print what it
 * made (stderr, so stdout stays the command's own), and write the
 * least-privilege policy that runs it again.
 */
import { open, type FileHandle } from "node:fs/promises"
import { learn } from "../adapters/node/mod.ts"
import { errnoText } from "../core/errno.ts"
import { errnoNumber, toJson, type ErrnoName, type LearnedSyscall } from "../plugins/seccomp/mod.ts"
import { ignoreAgain } from "./ignore-again.ts"
import { exitStatus } from "./run.ts"
import { learnHelp, parseOptions, splitAtCommand, UsageError, type CliIo } from "./usage.ts"

const options = {
  help: { type: "boolean", short: "h" },
  out: { type: "string" },
  errno: { type: "string" },
  cwd: { type: "string" }
} as const

/** Processes shown per syscall before "+N more": the table stays one screen wide. */
const shownProcesses = 4

const processes = (entry: LearnedSyscall): string => {
  const names = entry.processes.map(({ pid, command }) => `${command ?? "?"}[${pid}]`)
  const more = names.length - shownProcesses
  return more > 0 ? `${names.slice(0, shownProcesses).join(", ")} +${more} more` : names.join(", ")
}

/**
 * The learned syscalls as a table, one line each, most frequent first.
 *
 * @example
 * ```ts
 * import { learnTable } from "./learn.ts"
 *
 * learnTable([{ name: "openat", syscall: 257, count: 34, processes: [{ pid: 42, command: "ls" }] }])
 * // ["SYSCALL    NR   CALLS  PROCESSES", "openat    257      34  ls[42]"]
 * ```
 */
export const learnTable = (syscalls: ReadonlyArray<LearnedSyscall>): Array<string> => {
  const width = Math.max("SYSCALL".length, ...syscalls.map((entry) => entry.name.length))
  const row = (name: string, nr: string, count: string, who: string): string =>
    `${name.padEnd(width)}  ${nr.padStart(4)}  ${count.padStart(6)}  ${who}`.trimEnd()
  return [row("SYSCALL", "NR", "CALLS", "PROCESSES"), ...syscalls.map((entry) => row(entry.name, String(entry.syscall), String(entry.count), processes(entry)))]
}

/** --errno as the policy takes it: a known name or a number. */
const errnoOption = (text: string | undefined): ErrnoName | number => {
  if (text === undefined) return "EPERM"
  if (/^\d+$/.test(text)) return Number(text)
  if (errnoNumber(text) === undefined) throw new UsageError("learn", `--errno takes an errno name or number such as EPERM or 1, got "${text}"`)
  return text as ErrnoName
}

/**
 * --out opened before the command runs, as a shell opens `> FILE` before it
 * execs: a path that cannot be written must fail before the run, not lose what
 * the run learned. Opened to append, so a failed run leaves the file as it was.
 */
const openOut = async (path: string): Promise<FileHandle> => {
  try {
    return await open(path, "a")
  } catch (error) {
    const { errno, code } = error as NodeJS.ErrnoException
    throw new UsageError("learn", `Cannot write the policy to "${path}": ${errno === undefined ? (code ?? String(error)) : errnoText(-errno)}`)
  }
}

/**
 * `kakoi learn [--out FILE] [--errno ERRNO] [--cwd DIR] [--] CMD [ARGS...]`:
 * runs the command with every syscall observed, prints what it called and
 * writes (or prints) the allowlist; resolves with the command's exit status.
 *
 * @example
 * ```ts
 * import { learnCommand } from "./learn.ts"
 *
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * const status = await learnCommand(["--out", "/tmp/ls.json", "ls", "/"], io) // 0: ls's status; /tmp/ls.json holds the allowlist
 * ```
 */
export const learnCommand = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { own, command } = splitAtCommand(args, options)
  const { values } = parseOptions("learn", { args: own, options })
  if (values.help) {
    io.out(learnHelp)
    return 0
  }
  if (command.length === 0) throw new UsageError("learn", "No command given: put it after --, e.g. kakoi learn --out policy.json -- ls /")
  const errno = errnoOption(values.errno)
  const out = values.out === undefined ? undefined : await openOut(values.out)
  // What kakoi's starter ignored (nohup's SIGHUP) stays ignored, for kakoi and for the command, as under kakoi run.
  ignoreAgain(io)
  // In kakoi's process group, like kakoi run: the command keeps the terminal, and Ctrl-C reaches it.
  try {
    const result = await learn(command, { stdio: "inherit", processGroup: false, errno, ...(values.cwd === undefined ? {} : { cwd: values.cwd }) })
    for (const line of learnTable(result.syscalls)) io.err(line)
    const text = `${JSON.stringify(toJson(result.policy), null, 2)}\n`
    if (out === undefined) io.bytes(new TextEncoder().encode(text))
    else {
      await out.truncate(0)
      await out.writeFile(text)
    }
    const pids = new Set(result.syscalls.flatMap((entry) => entry.processes.map(({ pid }) => pid)))
    io.err(`kakoi: learned ${result.syscalls.length} syscalls from ${pids.size} process${pids.size === 1 ? "" : "es"}; policy ${values.out === undefined ? "on stdout" : `written to ${values.out}`}`)
    return exitStatus(result.exit, io)
  } finally {
    await out?.close()
  }
}
