/**
 * Runs compiled child programs in the C harness (program-harness.c), which
 * clones into the interpreter as an adapter does, for test/core/program-run
 * and program-contain: the target's output, the wait status and the
 * control-channel report, decoded.
 */
import { execFileSync, spawn } from "node:child_process"
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { Arch } from "../../core/arch/mod.ts"
import { compileProgram, interpreter, type ChildProgram, type ProgramInput, type Report } from "../../core/program/mod.ts"
import { buildC } from "../helpers/build-c.ts"

const address = 0x1000000000n
const source = join(import.meta.dirname, "program-harness.c")
const dir = mkdtempSync(join(tmpdir(), "kakoi-program-"))
// Open to every user: `RunOptions.as` may run the harness as nobody, which writes its report here.
chmodSync(dir, 0o777)

/** The harness binary, reachable by every user too. */
const shared = (binary: string): string => {
  chmodSync(dirname(binary), 0o755)
  return binary
}

/** How an arch's harness is built and started. */
export interface Machine {
  readonly arch: Arch
  readonly build: () => ReadonlyArray<string>
  readonly clone: (vfork: boolean) => string
  /** Whether seccomp(2) reaches a kernel that installs filters. */
  readonly seccomp: boolean
}

/**
 * x86_64 natively; aarch64 in a static aarch64 build under qemu-aarch64, which
 * clones without CLONE_VM (qemu-user cannot emulate CLONE_VM without CLONE_THREAD).
 */
export const machines: ReadonlyArray<Machine> = [
  { arch: "x86_64", build: () => [shared(buildC(source, ["-pthread"]))], clone: (vfork) => (vfork ? "1" : "0"), seccomp: true },
  { arch: "aarch64", build: () => ["qemu-aarch64", buildC(source, ["-static", "-pthread"], "aarch64-linux-gnu-gcc")], clone: () => "fork", seccomp: false }
]

export interface Run {
  readonly status: number
  readonly listener: string
  readonly report: Uint8Array
  readonly stdout: string
  readonly decoded: Report
}

/** Everything a test does not set: `true` through PATH, stdio 10-12 and control 13 as the harness provides them. */
export const base: ProgramInput = {
  argv: ["true"], env: ["PATH=/usr/bin:/bin"], steps: [], stdio: [10, 11, 12], control: 13,
  parentDeathSignal: 0, parentPid: 0, parentPidfd: 14, signalsToDefault: []
}

export interface RunOptions {
  /** Where the harness writes its own pid into the block (the parent check's expected value). */
  readonly pidAt?: number
  /** A signal the harness sends the child once an init reports its target started. */
  readonly signalAfterStart?: number
  /** Run the harness through this command first, e.g. setpriv to drop root. */
  readonly as?: ReadonlyArray<string>
  /** Clone from a multi-threaded harness, as a JavaScript runtime is. */
  readonly threaded?: boolean
  /**
   * fds of this process (a Landlock ruleset, a cgroup.procs) the harness holds
   * as the supervisor would, at `passedFdBase` + index: the numbers steps name.
   */
  readonly passFds?: ReadonlyArray<number>
}

/** Where the harness holds `RunOptions.passFds`: above its control channel (13), below its leak (20). */
export const passedFdBase = 14

/** What the harness needs of a program: a compiled ChildProgram, or a block laid out by hand. */
export type Runnable = Pick<ChildProgram, "image" | "mayVfork" | "cloneFlags" | "decode">

let runs = 0
/** Runs `input` compiled for the machine's arch in its harness (`harness`: the command line `build` gave). */
export const runIn = (machine: Machine, harness: ReadonlyArray<string>, input: Partial<ProgramInput>, options: RunOptions = {}): Run =>
  runProgram(machine, harness, compileProgram({ ...base, ...input }, machine.arch), options)

type Stdio = Array<"ignore" | "pipe" | "inherit" | number>

/** The harness's command line for `program`, and how to read its results once it has run. */
const prepare = (machine: Machine, harness: ReadonlyArray<string>, program: Runnable, options: RunOptions) => {
  const { code, entry } = interpreter(machine.arch)
  const name = join(dir, `run-${runs++}`)
  writeFileSync(`${name}.code`, code)
  writeFileSync(`${name}.block`, program.image(address))
  const [command = "", ...rest] = [...(options.as ?? []), ...harness]
  const args = [`${name}.code`, `${name}.block`, address.toString(16), String(entry), machine.clone(program.mayVfork), `${name}.out`, ...(options.pidAt === undefined ? [] : [String(options.pidAt)])]
  const env = {
    ...process.env, KAKOI_CLONE_FLAGS: String(program.cloneFlags),
    ...(options.signalAfterStart === undefined ? {} : { KAKOI_SIGNAL_AFTER_START: String(options.signalAfterStart) }),
    ...(options.threaded === true ? { KAKOI_THREADED: "1" } : {})
  }
  const passed = options.passFds ?? []
  const stdio: Stdio = ["ignore", "pipe", "inherit", ...Array.from({ length: passed.length === 0 ? 0 : passedFdBase - 3 }, () => "ignore" as const), ...passed]
  const finish = (stdout: string): Run => {
    const lines = Object.fromEntries(readFileSync(`${name}.out`, "utf8").trim().split("\n").map((line) => line.split(" ") as [string, string]))
    const report = Uint8Array.from((lines.report ?? "").match(/../g) ?? [], (pair) => parseInt(pair, 16))
    return { status: Number(lines.status), listener: lines.listener ?? "", report, stdout, decoded: program.decode(report) }
  }
  return { command, args: [...rest, ...args], env, stdio, finish }
}

/** Runs `program` (made for the machine's arch) in its harness. */
export const runProgram = (machine: Machine, harness: ReadonlyArray<string>, program: Runnable, options: RunOptions = {}): Run => {
  const { command, args, env, stdio, finish } = prepare(machine, harness, program, options)
  return finish(execFileSync(command, args, { encoding: "utf8", stdio, env }))
}

/** `runProgram` without blocking this process, for many children at once. */
export const runProgramAsync = (machine: Machine, harness: ReadonlyArray<string>, program: Runnable, options: RunOptions = {}): Promise<Run> => {
  const { command, args, env, stdio, finish } = prepare(machine, harness, program, options)
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio, env })
    let stdout = ""
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk))
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve(finish(stdout)) : reject(new Error(`The harness exited with ${code}`))))
  })
}
