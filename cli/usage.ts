/** Usage errors, option parsing and help texts of the `kakoi` command. */
import { parseArgs, type ParseArgsConfig } from "node:util"

/** Where a command writes: lines of text to stdout and stderr, bytes to stdout. */
export interface CliIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  readonly bytes: (data: Uint8Array) => void
}

/** A mistake on the command line: printed with a hint, exit status 2. */
export class UsageError extends Error {
  readonly command: string
  constructor(command: string, message: string) {
    super(message)
    this.command = command
  }
}

/**
 * `parseArgs` whose mistakes are `UsageError`s of `command`, so the hint names
 * the subcommand's help. Node's advice for an unknown option (quote it after
 * "--") would make it the command to run, so only its first sentence is kept.
 */
export const parseOptions = <T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> => {
  try {
    return parseArgs(config)
  } catch (error) {
    const { code, message } = error as { readonly code?: string; readonly message?: string }
    if (code === undefined || !code.startsWith("ERR_PARSE_ARGS") || message === undefined) throw error
    throw new UsageError(command, code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? message.split(". ")[0]! : message)
  }
}

/**
 * kakoi's own options end at "--" or at the first word that is not an option,
 * like env(1) and timeout(1): `kakoi run --trap uname sh -c uname` runs `sh -c uname`.
 * `options` (parseArgs' config) says which options take a value.
 *
 * @example
 * ```ts
 * splitAtCommand(["--out", "p.json", "ls", "/"], { out: { type: "string" } }) // { own: ["--out", "p.json"], command: ["ls", "/"] }
 * ```
 */
export const splitAtCommand = (
  args: ReadonlyArray<string>,
  options: Readonly<Record<string, { readonly type: "string" | "boolean" }>>
): { readonly own: Array<string>; readonly command: Array<string> } => {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? ""
    if (arg === "--") return { own: args.slice(0, index), command: args.slice(index + 1) }
    if (!arg.startsWith("-") || arg === "-") return { own: args.slice(0, index), command: args.slice(index) }
    const name = arg.replace(/^--?/, "").split("=")[0] ?? ""
    const takesValue = Object.hasOwn(options, name) && options[name]?.type === "string"
    if (takesValue && !arg.includes("=")) index++
  }
  return { own: [...args], command: [] }
}

export const mainHelp = `kakoi: run commands inside kernel-enforced seccomp fences

Usage:
  kakoi run [OPTIONS] -- CMD [ARGS...]     Run CMD under a seccomp policy and resource limits
  kakoi learn [--out FILE] -- CMD [ARGS...]
                                           Run CMD observing its syscalls; write a policy
                                           that allows just those
  kakoi syscall NAME|NUMBER [--arch ARCH]  Resolve syscall names and numbers
  kakoi export --policy FILE [--format bpf|pfc|json] [--out FILE]
                                           Write a policy's compiled filter
  kakoi supervise FILE                     Run a supervision tree (JSON) until Ctrl-C
  kakoi doctor [--json]                    Show what this machine offers the fences
  kakoi help [COMMAND]                     Show help for a command

Options:
  -h, --help     Show help
  -V, --version  Show the version

Run 'kakoi help run' for the policy options.`

export const runHelp = `Usage: kakoi run [OPTIONS] [--] CMD [ARGS...]

Run CMD with stdio inherited and a seccomp filter in force from its first
instruction. kakoi exits with CMD's exit status, or 128+N when signal N ended
it; when the seccomp filter ended it, one line on stderr says so.

Policy:
  --policy FILE                 A JSON policy (kakoi's format; see the README)
  --default ACTION              The action for syscalls no rule matches
                                (allow, kill, kill-thread, trap, log, notify,
                                errno:NAME, trace:N); default: allow
  --allow SYSCALL[,SYSCALL...]  Allow these syscalls
  --kill SYSCALL[,...]          Kill the process when it makes these syscalls
  --kill-thread SYSCALL[,...]   Kill the calling thread
  --trap SYSCALL[,...]          Send SIGSYS (ends the process: "Bad system call")
  --log SYSCALL[,...]           Allow and write to the audit log
  --notify SYSCALL[,...]        Report each call on stderr (pid, name, number,
                                args) and fail it with EPERM
  --observe                     With --notify: report the calls and let them run
  --errno ERRNO:SYSCALL[,...]   Fail these syscalls with ERRNO (e.g. EPERM:mkdir)
Rules from options are added after the rules of --policy; options repeat.
kakoi reads its own options up to "--" or the first word that is not one.

Process:
  --rlimit NAME=SOFT[:HARD]     Set a resource limit (nofile=64, as=512M, cpu=5)
  --cwd DIR                     Run CMD in DIR

Sandbox (any of these runs CMD under sandbox(); this build refuses them:
the fences need the native launcher, which has not landed yet):
  --sandbox                     The strict default: host read-only, private
                                /tmp, no network, no capabilities, home hidden
  --ro PATH                     Show only the --ro paths, read-only (repeats)
  --rw PATH                     A writable path (repeats)
  --hide PATH                   A hidden path (repeats)
  --net none|loopback|host|tcp:PORT[,PORT...]
  --user NAME|UID[:GID]|keep    Run as this user
  --hostname NAME               The child's own hostname
  --memory SIZE --pids N --cpu N
                                cgroup v2 limits (needs a delegated cgroup)
  --containment namespaces|cgroup|process-group

Examples:
  kakoi run --errno EPERM:mkdir,mkdirat -- mkdir /tmp/x
  kakoi run --trap uname -- uname
  kakoi run --notify uname --observe -- uname
  kakoi run --policy policy.json --rlimit nofile=64 -- ./worker`

export const syscallHelp = `Usage: kakoi syscall NAME|NUMBER [--arch ARCH]

Print the number of a syscall name, or the name of a number, for the native
architecture or ARCH (any libseccomp knows: x86_64, x86, x32, aarch64, arm, ...).

Examples:
  kakoi syscall mkdir          # 83
  kakoi syscall 83             # mkdir
  kakoi syscall --arch x86 mkdir`

export const exportHelp = `Usage: kakoi export --policy FILE [--format bpf|pfc|json] [--out FILE]

Compile a JSON policy and write it:
  bpf   the raw classic-BPF program the kernel loads (binary; default)
  pfc   libseccomp's pseudo filter code, readable
  json  the validated policy in kakoi's JSON format
Writes to standard output unless --out is given.`

export const superviseHelp = `Usage: kakoi supervise FILE

Run the supervision tree in FILE: start its children in order, restart them
by the tree's strategy, restart types, backoff and intensity, and print each
event and each line of the children's output ("app/web | ..."). Ctrl-C or
SIGTERM stops every child gracefully, last started first. kakoi exits with 0
after a clean stop or when every child has ended for good, 1 when the tree
gave up.

FILE is JSON (or a .ts/.js module whose default export is the tree):
  { "name": "app", "strategy": "one-for-one",
    "intensity": { "maxRestarts": 3, "withinMs": 5000 },
    "children": [
      { "name": "web", "argv": ["node", "server.js"], "restart": "permanent",
        "stop": { "signal": "SIGTERM", "timeoutMs": 5000 },
        "backoff": { "initialMs": 100, "maxMs": 30000, "factor": 2, "jitter": true },
        "ready": { "kind": "line", "pattern": "listening" },
        "seccomp": "policy.json", "rlimit": { "nofile": 64 } },
      { "name": "pool", "strategy": "one-for-all", "children": [ ... ] } ] }
strategy: one-for-one, one-for-all, rest-for-one; restart: permanent,
transient, temporary; "seccomp" is a policy (kakoi's JSON format) or a path
relative to FILE.`

export const learnHelp = `Usage: kakoi learn [--out FILE] [--errno ERRNO] [--cwd DIR] [--] CMD [ARGS...]

Run CMD (and its children) with stdio inherited and every syscall observed:
each one is reported to kakoi and let through. Then print on stderr a table
of the syscalls seen, with counts and the processes that made them, and
write a least-privilege policy (kakoi's JSON format): allow those syscalls
and the launcher's (execve), fail every other one with ERRNO. Run
CMD again under it with kakoi run --policy FILE. kakoi exits with CMD's
status, or 128+N when signal N ended it.

Every syscall makes a round trip to kakoi (tens of microseconds): fine for
short commands, slow for busy ones. A syscall CMD did not make this time
(another code path, another input) is denied later: learn with the inputs
that matter, and read the policy.

Options:
  --out FILE      Write the policy to FILE (default: standard output, after
                  CMD's own output)
  --errno ERRNO   How the policy fails other syscalls (default EPERM)
  --cwd DIR       Run CMD in DIR

Examples:
  kakoi learn --out ls.json -- ls /
  kakoi run --policy ls.json -- ls /     # the same output
  kakoi run --policy ls.json -- mkdir /tmp/x   # Operation not permitted`

export const doctorHelp = `Usage: kakoi doctor [--json]

Print what this machine offers the fences, and why not where it does not:
kernel and architecture, the Landlock ABI, whether user, pid, mount and
network namespaces can be created (sysctls, AppArmor, and an actual try with
unshare(1)), cgroup v2 (where, which controllers, whether the supervisor's
cgroup is delegated), ptrace rights for notify listeners, seccomp user
notification, io_uring, and the containment level run would use.

Options:
  --json   Print the same as JSON`
