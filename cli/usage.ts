/** Usage errors, option parsing and help texts of the `kakoi` command. */
import { parseArgs, type ParseArgsConfig } from "node:util"
import type { SignalName } from "../core/signals.ts"

/**
 * Where a command writes: lines of text to stdout and stderr, bytes to stdout.
 *
 * @example
 * ```ts
 * import type { CliIo } from "./usage.ts"
 *
 * // What a test passes to capture a command's output.
 * const out: Array<string> = []
 * const io: CliIo = { out: (line) => out.push(line), err: (line) => out.push(`error: ${line}`), bytes: () => {} }
 * ```
 */
export interface CliIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  readonly bytes: (data: Uint8Array) => void
  /** The signals kakoi's starter ignored (cli/ignored-signals.ts): kakoi ignores them too, and passes them on ignored. */
  readonly ignoredSignals?: ReadonlyArray<SignalName>
}

/**
 * A mistake on the command line: printed with a hint, exit status 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage.ts"
 *
 * const error = new UsageError("export", "--policy is required")
 * error.message // "--policy is required"; main prints it with a hint and exits with status 2
 * ```
 */
export class UsageError extends Error {
  /** What main.ts tells it by: the shipped CLI's subcommand bundles each have their own copy of this class. */
  readonly _tag: "UsageError" = "UsageError"
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
 *
 * @example
 * ```ts
 * import { parseOptions } from "./usage.ts"
 *
 * const { values } = parseOptions("export", { args: ["--format", "pfc"], options: { format: { type: "string" } } })
 * values.format // "pfc"
 * ```
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
 * import { splitAtCommand } from "./usage.ts"
 *
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

/**
 * What `kakoi --help` prints: the commands.
 *
 * @example
 * ```ts
 * import { mainHelp } from "./usage.ts"
 *
 * console.log(mainHelp)
 * ```
 */
export const mainHelp = `kakoi: run commands inside kernel-enforced seccomp fences

Usage:
  kakoi run [OPTIONS] -- CMD [ARGS...]     Run CMD under a seccomp policy and resource limits
  kakoi learn [--out FILE] -- CMD [ARGS...]
                                           Run CMD observing its syscalls; write a policy
                                           that allows just those
  kakoi syscall NAME|NUMBER [--arch ARCH]  Resolve syscall names and numbers
  kakoi export --policy FILE [--format bpf|pfc|json|oci|systemd] [--out FILE]
                                           Write a policy's compiled filter, or the
                                           policy as a Docker/OCI profile or systemd lines
  kakoi explain --policy FILE --syscall NAME [--arch ARCH] [--args A0,A1,...]
                                           What the filter does with one call, and why
  kakoi diff A B                           List the calls two policies decide differently
  kakoi lint FILE                          Print what a policy may not mean
  kakoi supervise FILE                     Run a supervision tree (JSON) until Ctrl-C
  kakoi doctor [--json]                    Show what this machine offers the fences
  kakoi help [COMMAND]                     Show help for a command

Options:
  -h, --help     Show help
  -V, --version  Show the version

Run 'kakoi help run' for the policy options.`

/**
 * What `kakoi run --help` prints: kakoi run's options.
 *
 * @example
 * ```ts
 * import { runHelp } from "./usage.ts"
 *
 * console.log(runHelp)
 * ```
 */
export const runHelp = `Usage: kakoi run [OPTIONS] [--] CMD [ARGS...]

Run CMD with stdio inherited and a seccomp filter in force from its first
instruction. kakoi exits with CMD's exit status, or 128+N when signal N ended
it; when the seccomp filter ended it, one line on stderr says so. SIGINT,
SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to kakoi are passed on to
CMD, which stays in kakoi's process group (so Ctrl-C in a terminal reaches
CMD both directly and through kakoi); those kakoi was started ignoring (under
nohup, SIGHUP) stay ignored, by kakoi and by CMD.

Policy:
  --policy FILE                 A JSON policy: kakoi's format or a Docker/OCI/
                                Podman seccomp profile (see the README)
  --caps CAP_A,CAP_B            For a profile: the capabilities its includes/
                                excludes see (default: kakoi's own, CapEff)
  --kernel MAJOR.MINOR          For a profile: the kernel minKernel compares
                                with (default: this one)
  --trust-profile               For a profile: let its ptrace, process_vm_*
                                and pidfd_getfd allowances stand (kakoi's
                                floor denies them otherwise)
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

Sandbox (any of these runs CMD under sandbox(), see the README's Sandbox):
  --sandbox                     The strict default: host read-only, private
                                /tmp, no network, no capabilities, home hidden
  --ro PATH                     Show only the --ro paths, read-only (repeats)
  --rw PATH                     A writable path (repeats)
  --hide PATH                   A hidden path (repeats)
  --net none|loopback|host|tcp:PORT[,PORT...]
  --user NAME|UID[:GID]|keep    Run as this user
  --cap NAME                    Keep this capability (CAP_NET_BIND_SERVICE;
                                repeats); none by default
  --diagnose-caps               Name a call that failed for lack of a
                                capability in the exit report
  --hostname NAME               The child's own hostname
  --memory SIZE --pids N --cpu N
                                cgroup v2 limits (needs a delegated cgroup)
  --containment namespaces|cgroup|process-group
                                How far the command's descendants get (default
                                namespaces: none outlives it or reaches kakoi)

Examples:
  kakoi run --errno EPERM:mkdir,mkdirat -- mkdir /tmp/x
  kakoi run --trap uname -- uname
  kakoi run --notify uname --observe -- uname
  kakoi run --policy policy.json --rlimit nofile=64 -- ./worker`

/**
 * What `kakoi syscall --help` prints: kakoi syscall's usage.
 *
 * @example
 * ```ts
 * import { syscallHelp } from "./usage.ts"
 *
 * console.log(syscallHelp)
 * ```
 */
export const syscallHelp = `Usage: kakoi syscall NAME|NUMBER [--arch ARCH]

Print the number of a syscall name, or the name of a number, for the native
architecture or ARCH (any libseccomp knows: x86_64, x86, x32, aarch64, arm, ...).

Examples:
  kakoi syscall mkdir          # 83
  kakoi syscall 83             # mkdir
  kakoi syscall --arch x86 mkdir`

/** Where a profile's includes/excludes come from, for every command that reads one. */
const profileHelp = `Policy files are kakoi's JSON format or a Docker/OCI/Podman seccomp profile
(told apart by "defaultAction"). A profile's includes/excludes are evaluated
for:
  --caps CAP_A,CAP_B   the capabilities the child holds (default: kakoi's own
                       effective set, CapEff in /proc/self/status; --caps ""
                       for none)
  --kernel MAJOR.MINOR the kernel minKernel compares with (default: this one)
  --trust-profile      let the profile's ptrace, process_vm_readv/writev and
                       pidfd_getfd allowances stand (by default kakoi's floor
                       denies them: Docker relies on a PID namespace there)`

/**
 * What `kakoi export --help` prints: kakoi export's usage.
 *
 * @example
 * ```ts
 * import { exportHelp } from "./usage.ts"
 *
 * console.log(exportHelp)
 * ```
 */
export const exportHelp: string = `Usage: kakoi export --policy FILE [--format FORMAT] [--out FILE]

Compile a policy and write it:
  bpf      the raw classic-BPF program the kernel loads (binary; default)
  pfc      libseccomp's pseudo filter code, readable
  json     the validated policy in kakoi's JSON format
  oci      a Docker/OCI seccomp profile (docker run --security-opt seccomp=FILE,
           a Kubernetes localhostProfile, Podman, runc, crun): the rules of the
           compiled filter, kakoi's floor included
  systemd  SystemCallFilter=, SystemCallErrorNumber=, SystemCallArchitectures=
           unit lines, where the policy fits systemd's model
What a format cannot say is printed on stderr (and, for systemd, as comments).
Writes to standard output unless --out is given.

${profileHelp}`

/**
 * `kakoi explain --help`.
 *
 * @example
 * ```ts
 * import { explainHelp } from "./usage.ts"
 *
 * console.log(explainHelp)
 * ```
 */
export const explainHelp: string = `Usage: kakoi explain --policy FILE --syscall NAME|NUMBER [--arch ARCH] [--args A0,A1,...]

Compile the policy, run its BPF over this call in kakoi's simulator, and print
the action the kernel would take and the rule behind it (the policy's rule,
a family or group, the floor, the io_uring rule, the profile entry), and the
other rules for the syscall. Arguments are decimal or 0x hex, negative ones as
two's complement; missing ones are 0. ARCH is libseccomp's name (x86_64, x86,
x32, ...).

Examples:
  kakoi explain --policy policy.json --syscall socket --args 2,1,0
  kakoi explain --policy docker-default.json --syscall clone3 --caps ""

${profileHelp}`

/**
 * `kakoi diff --help`.
 *
 * @example
 * ```ts
 * import { diffHelp } from "./usage.ts"
 *
 * console.log(diffHelp)
 * ```
 */
export const diffHelp: string = `Usage: kakoi diff A B

Print every call whose outcome differs between two filters, one line each
("x86_64 socket (41) with args 0x28: allow vs errno EPERM"), by running both
compiled programs over every syscall of the architectures they list, and, where
a filter compares an argument, over representative values of it. A and B are
policies or profiles, or raw BPF (kakoi export --format bpf). Exits with 1 when
something differs, 0 when not.

${profileHelp}`

/**
 * `kakoi lint --help`.
 *
 * @example
 * ```ts
 * import { lintHelp } from "./usage.ts"
 *
 * console.log(lintHelp)
 * ```
 */
export const lintHelp: string = `Usage: kakoi lint FILE

Print the warnings of a policy (a family denied in part, rules left out as
same as the default or shadowed, unfiltered ABIs, errno 0, ...) and notes on
how it was read (names libseccomp does not know, profile entries that do not
apply here). Exits with 1 when there are warnings.

${profileHelp}`

/**
 * What `kakoi supervise --help` prints: kakoi supervise's usage and tree file format.
 *
 * @example
 * ```ts
 * import { superviseHelp } from "./usage.ts"
 *
 * console.log(superviseHelp)
 * ```
 */
export const superviseHelp = `Usage: kakoi supervise FILE

Run the supervision tree in FILE: start its children in order, restart them
by the tree's strategy, restart types, backoff and intensity, and print each
event and each line of the children's output ("app/web | ..."), from the
first child's start on. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops every child
gracefully, last started first. kakoi exits with 0
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

/**
 * What `kakoi learn --help` prints: kakoi learn's usage.
 *
 * @example
 * ```ts
 * import { learnHelp } from "./usage.ts"
 *
 * console.log(learnHelp)
 * ```
 */
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

/**
 * `kakoi doctor --help`.
 *
 * @example
 * ```ts
 * import { doctorHelp } from "./usage.ts"
 *
 * console.log(doctorHelp)
 * ```
 */
export const doctorHelp = `Usage: kakoi doctor [--json]

Print what this machine offers the fences, and why not where it does not:
kernel and architecture, the Landlock ABI, whether user, pid, mount and
network namespaces can be created (sysctls, AppArmor, and an actual try with
unshare(1)), cgroup v2 (where, which controllers, whether the supervisor's
cgroup is delegated), ptrace rights for notify listeners, seccomp user
notification, io_uring, and the containment level run would use.

Options:
  --json   Print the same as JSON`
