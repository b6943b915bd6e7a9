/**
 * The child-program compiler: everything the child does between clone and
 * execve, as a list of syscalls over one block (format.ts, block.ts). Each
 * step kind is a compile rule here; the interpreter stays the same machine code
 * for every rule. Order (the contract in launcher-interface.md):
 * parent-death signal and the parent check, signal dispositions and mask,
 * stdio onto 0-2 and the control channel onto 3, close_range(4..), the steps,
 * the seccomp installs (the one with a listener last, then the handshake read),
 * and the PATH search by execve attempts.
 */
import type { ArchTable } from "../arch/mod.ts"
import { orderSteps, type PreExecStep, type RlimitValue } from "../steps.ts"
import type { Arg, BlockLayout, DataRef, OpSpec } from "./block.ts"
import { ProgramError } from "./errors.ts"
import { Mode, recordSize, recordTag } from "./format.ts"

/**
 * What the child must do, as the parent knows it at spawn time.
 *
 * @example
 * ```ts
 * const input: ProgramInput = {
 *   argv: ["echo", "hi"], env: ["PATH=/usr/bin:/bin"], steps: [],
 *   stdio: [10, 11, 12], control: 13, parentDeathSignal: 9, parentPid: 4242, signalsToDefault: [13]
 * }
 * ```
 */
export interface ProgramInput {
  readonly argv: ReadonlyArray<string>
  /** "NAME=value": the target's whole environment. */
  readonly env: ReadonlyArray<string>
  readonly steps: ReadonlyArray<PreExecStep>
  /** Parent fds (>= 10) that become 0, 1, 2. */
  readonly stdio: readonly [number, number, number]
  /** Parent fd (>= 10) of the child's end of the control socketpair; it becomes 3. */
  readonly control: number
  /** PR_SET_PDEATHSIG signal; 0 for none. */
  readonly parentDeathSignal: number
  /** The pid the child must have as parent once the death signal is set. */
  readonly parentPid: number
  readonly signalsToDefault: ReadonlyArray<number>
}

/** The fd the control channel gets in the child. */
export const controlFd = 3
/** The fd the notify listener gets: the lowest free one after close_range(4..). */
export const listenerFd = 4
/** The handshake read's count: unusual, so the parent can tell it from a target's read. */
export const handshakeReadSize = 4093
/** execvp's search path when PATH is unset. */
const defaultPath = "/usr/local/bin:/usr/bin:/bin"
/** The lowest parent fd the program may map, so no dup3 onto 0..3 clobbers a later source. */
const lowestSourceFd = 10
/** BPF_MAXINSNS */
const maxBpfInstructions = 4096

const refuseNul = (text: string, subject: string): string => {
  if (text.includes("\0")) throw new ProgramError({ reason: "NulByte", subject })
  return text
}

const sourceFd = (fd: number, subject: string): number => {
  if (!Number.isInteger(fd) || fd < lowestSourceFd || fd > 0xffff) throw new ProgramError({ reason: "BadFd", subject, detail: `got ${fd}` })
  return fd
}

const rlimitValue = (table: ArchTable, value: RlimitValue, subject: string): bigint => {
  if (value === "unlimited") return table.constants.RLIM_INFINITY
  if (value < 0n || value > table.constants.RLIM_INFINITY) throw new ProgramError({ reason: "BadValue", subject, detail: `got ${value}` })
  return value
}

/** PATH candidates like execvp: a name with a slash alone, else each PATH entry (empty = the current directory). */
export const pathCandidates = (command: string, env: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (command === "") return []
  if (command.includes("/")) return [command]
  const path = env.find((entry) => entry.startsWith("PATH="))?.slice("PATH=".length) ?? defaultPath
  return path.split(":").map((directory) => (directory === "" ? command : `${directory}/${command}`))
}

/** The ops of one non-seccomp step. An unhandled kind is a type error (the `never` below). */
const stepOps = (table: ArchTable, step: Exclude<PreExecStep, { kind: "seccomp" }>, at: string, layout: BlockLayout): ReadonlyArray<Omit<OpSpec, "reportFd">> => {
  const { syscalls: sys, constants: c } = table
  switch (step.kind) {
    case "rlimit": {
      const limit = new Uint8Array(table.structs.rlimit.size)
      const view = new DataView(limit.buffer)
      view.setBigUint64(table.structs.rlimit.cur, rlimitValue(table, step.soft, `${at}.soft`), true)
      view.setBigUint64(table.structs.rlimit.max, rlimitValue(table, step.hard, `${at}.hard`), true)
      return [{ nr: sys.prlimit64, mode: Mode.check, args: [0, table.rlimitResource[step.resource], layout.bytes(limit), 0], stage: "rlimit", subject: step.resource }]
    }
    case "chdir":
      return [{ nr: sys.chdir, mode: Mode.check, args: [layout.string(refuseNul(step.path, `${at}.path`))], stage: "chdir", subject: step.path }]
    case "umask":
      if (!Number.isInteger(step.mask) || step.mask < 0 || step.mask > 0o777) throw new ProgramError({ reason: "BadValue", subject: `${at}.mask`, detail: `got ${step.mask}` })
      return [{ nr: sys.umask, mode: Mode.ignore, args: [step.mask], stage: "umask", subject: step.mask.toString(8) }]
    case "setsid":
      return [{ nr: sys.setsid, mode: Mode.check, args: [], stage: "setsid", subject: "new session" }]
    case "no-new-privs":
      return [{ nr: sys.prctl, mode: Mode.check, args: [c.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0], stage: "no-new-privs", subject: "PR_SET_NO_NEW_PRIVS" }]
    default:
      return step satisfies never
  }
}

/** A sock_fprog and its instructions in the block. */
const filterProgram = (table: ArchTable, bpf: Uint8Array, at: string, layout: BlockLayout): DataRef => {
  const { size, len, filter, instructionSize } = table.structs.sockFprog
  const count = bpf.byteLength / instructionSize
  if (!Number.isInteger(count) || count === 0 || count > maxBpfInstructions) {
    throw new ProgramError({ reason: "BadFilter", subject: `${at}.bpf`, detail: `${bpf.byteLength} bytes: 1 to ${maxBpfInstructions} instructions of ${instructionSize} bytes` })
  }
  const instructions = layout.bytes(bpf.slice())
  const program = new Uint8Array(size)
  new DataView(program.buffer).setUint16(len, count, true)
  const ref = layout.bytes(program)
  layout.pointerAt(ref.data + filter, instructions)
  return ref
}

/** Every op of the program, in order, added to `layout`. */
export const compileOps = (input: ProgramInput, table: ArchTable, layout: BlockLayout): { readonly hasListener: boolean } => {
  const { syscalls: sys, constants: c, signals } = table
  const [command, ...rest] = input.argv
  if (command === undefined) throw new ProgramError({ reason: "EmptyArgv", subject: "argv" })
  const stdio = input.stdio.map((fd, index) => sourceFd(fd, `stdio[${index}]`))
  const control = sourceFd(input.control, "control")
  // Until the control channel is on fd 3 (and its old number closed), failures are reported on its old number.
  let reportFd = control
  const add = (spec: Omit<OpSpec, "reportFd">): number => layout.op({ ...spec, reportFd })
  const signal = (value: number, subject: string): number => {
    if (!Number.isInteger(value) || value < 1 || value > c.SIGRTMAX) throw new ProgramError({ reason: "BadSignal", subject, detail: `got ${value}` })
    return value
  }

  if (input.parentDeathSignal !== 0) {
    add({ nr: sys.prctl, mode: Mode.check, args: [c.PR_SET_PDEATHSIG, signal(input.parentDeathSignal, "parentDeathSignal"), 0, 0, 0], stage: "parent-death-signal", subject: "PR_SET_PDEATHSIG" })
    // The parent may have died before prctl took effect; then nobody would ever signal us.
    add({ nr: sys.getppid, mode: Mode.expectOrExit, args: [], expected: input.parentPid, exitStatus: 1, stage: "parent-death-signal", subject: "the parent is gone" })
  }

  const defaultAction = layout.bytes(new Uint8Array(table.structs.kernelSigaction.size))
  input.signalsToDefault.forEach((value, index) => {
    const number = signal(value, `signalsToDefault[${index}]`)
    // SIGKILL and SIGSTOP cannot be caught or ignored: they are always at their default already.
    if (number === signals.SIGKILL || number === signals.SIGSTOP) return
    add({ nr: sys.rt_sigaction, mode: Mode.check, args: [number, defaultAction, 0, c.SIGSET_SIZE], stage: "signal-reset", subject: `signal ${number}` })
  })
  const emptySet = layout.bytes(new Uint8Array(c.SIGSET_SIZE))
  add({ nr: sys.rt_sigprocmask, mode: Mode.check, args: [c.SIG_SETMASK, emptySet, 0, c.SIGSET_SIZE], stage: "signal-mask", subject: "all signals" })

  stdio.forEach((fd, target) => {
    add({ nr: sys.dup3, mode: Mode.check, args: [fd, target, 0], stage: "stdio", subject: `fd ${target}` })
  })
  add({ nr: sys.dup3, mode: Mode.check, args: [control, controlFd, c.O_CLOEXEC], stage: "stdio", subject: `fd ${controlFd} (control channel)` })
  reportFd = controlFd
  add({ nr: sys.close_range, mode: Mode.check, args: [listenerFd, 0xffffffff, 0], stage: "close-fds", subject: `fds ${listenerFd} and up` })

  const steps = orderSteps(input.steps)
  const filters: Array<{ readonly program: DataRef; readonly listener: boolean }> = []
  for (const step of steps) {
    const at = `steps[${input.steps.indexOf(step)}] (${step.kind})`
    if (step.kind === "seccomp") filters.push({ program: filterProgram(table, step.bpf, at, layout), listener: step.listener === true })
    else for (const spec of stepOps(table, step, at, layout)) add(spec)
  }
  const listeners = filters.filter((filter) => filter.listener)
  if (listeners.length > 1) throw new ProgramError({ reason: "TwoListeners", subject: "steps" })
  // The listener's filter goes last: after its install only the handshake read and execve may run.
  for (const filter of filters.filter((entry) => !entry.listener)) {
    add({ nr: sys.seccomp, mode: Mode.check, args: [c.SECCOMP_SET_MODE_FILTER, 0, filter.program], stage: "seccomp", subject: "filter" })
  }
  const [listener] = listeners
  if (listener !== undefined) {
    const record = new Uint8Array(recordSize)
    const view = new DataView(record.buffer)
    view.setUint32(0, recordTag.installingListener, true)
    view.setUint32(4, layout.nextOp + 1, true)
    add({ nr: sys.write, mode: Mode.expect, args: [controlFd, layout.bytes(record), recordSize], expected: recordSize, stage: "seccomp-listener", subject: "cannot announce the listener" })
    add({ nr: sys.seccomp, mode: Mode.expect, args: [c.SECCOMP_SET_MODE_FILTER, c.SECCOMP_FILTER_FLAG_NEW_LISTENER, listener.program], expected: listenerFd, stage: "seccomp", subject: "filter with listener" })
    add({ nr: sys.read, mode: Mode.expect, args: [controlFd, { scratch: 0 }, handshakeReadSize], expected: 1, stage: "seccomp-listener", subject: "the supervisor did not take the listener" })
  }

  const argv = layout.pointerTable([command, ...rest].map((arg, index) => layout.string(refuseNul(arg, `argv[${index}]`))))
  const envp = layout.pointerTable(input.env.map((entry, index) => layout.string(refuseNul(entry, `env[${index}]`))))
  for (const candidate of pathCandidates(command, input.env)) {
    const args: ReadonlyArray<Arg> = [layout.string(candidate), argv, envp]
    add({ nr: sys.execve, mode: Mode.execTry, args, stage: "exec", subject: candidate })
  }
  add({ nr: 0, mode: Mode.failPending, args: [], expected: table.errno.ENOENT, stage: "resolve", subject: command })
  return { hasListener: listener !== undefined }
}
