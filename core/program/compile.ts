/**
 * The child-program compiler: everything the child does between clone and
 * execve, as a list of syscalls over one block (format.ts, block.ts). Step
 * kinds are compile rules (rules/*, init.ts); the interpreter stays the same
 * machine code for every rule. Order (the contract in launcher-interface.md):
 * parent-death signal and the parent check, signal dispositions and mask,
 * stdio onto 0-2 and the control channel onto 3, the supervisor fds steps
 * name onto 5.. (`passedFds`), every other fd >= 4 closed, then the steps by
 * phase (core/steps.ts `orderSteps`: cgroup, user-namespace maps, unshare,
 * [the pid-namespace init, which forks the target and stays behind], mounts,
 * hostname and lo, identity, the plain steps, Landlock), the seccomp installs
 * (the one with a listener last, then the handshake read), and the PATH
 * search by execve attempts.
 */
import type { ArchTable } from "../arch/mod.ts"
import { orderSteps, type PreExecStep, type UnsharedNamespace } from "../steps.ts"
import type { Arg, BlockLayout, DataRef } from "./block.ts"
import { ProgramError } from "./errors.ts"
import { Mode, recordSize, recordTag, slotScratch, stepSlots } from "./format.ts"
import { controlFd, firstPassedFd, listenerFd, passedFds, sourceFd } from "./fds.ts"
import { initOps } from "./init.ts"
import { filterProgram, refuseNul, stepOps, type RuleContext, type RuleOp } from "./rules/mod.ts"

export { controlFd, listenerFd } from "./fds.ts"

/**
 * What the child must do, as the parent knows it at spawn time.
 *
 * @example
 * ```ts
 * const input: ProgramInput = {
 *   argv: ["echo", "hi"], env: ["PATH=/usr/bin:/bin"], steps: [],
 *   stdio: [10, 11, 12], control: 13, parentDeathSignal: 9, parentPid: 4242, parentPidfd: 14, signalsToDefault: [13]
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
  /**
   * Parent fd (>= 10) of a pidfd of the supervisor's own process, which a
   * pid-namespace init (whose parent is outside its namespace: getppid is 0)
   * polls once the death signal is set: readable means the parent is gone.
   */
  readonly parentPidfd: number
  readonly signalsToDefault: ReadonlyArray<number>
}

/**
 * The handshake read's count: unusual, so the parent can tell it from a target's read.
 *
 * @example
 * ```ts
 * handshakeReadSize // 4093
 * ```
 */
export const handshakeReadSize = 4093
/** execvp's search path when PATH is unset. */
const defaultPath = "/usr/local/bin:/usr/bin:/bin"
/**
 * PATH candidates like execvp: a name with a slash alone, else each PATH entry
 * of the target's env (the first PATH=; execvp's default without one; an empty
 * entry is the current directory).
 *
 * @example
 * ```ts
 * pathCandidates("ls", ["PATH=/usr/bin:/bin"]) // ["/usr/bin/ls", "/bin/ls"]
 * ```
 */
export const pathCandidates = (command: string, env: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (command === "") return []
  if (command.includes("/")) return [command]
  const path = env.find((entry) => entry.startsWith("PATH="))?.slice("PATH=".length) ?? defaultPath
  return path.split(":").map((directory) => (directory === "" ? command : `${directory}/${command}`))
}

const record = (layout: BlockLayout, tag: number, index: number): DataRef => {
  const bytes = new Uint8Array(recordSize)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, tag, true)
  view.setUint32(4, index, true)
  return layout.bytes(bytes)
}

/** The namespace a step changes, which the child must have of its own. */
const namespaceOf = (step: PreExecStep): UnsharedNamespace | undefined => {
  switch (step.kind) {
    case "mount":
    case "mount-attributes":
    case "mount-point":
    case "symlink":
    case "tmpfs":
    case "pivot-root":
      return "mount"
    case "hostname":
      return "uts"
    case "loopback-up":
      return "network"
    default:
      return undefined
  }
}

/**
 * What the compiled program needs from the adapter's clone.
 *
 * @example
 * ```ts
 * const plain: Compiled = { hasListener: false, init: false, cloneFlags: 0 }
 * ```
 */
export interface Compiled {
  readonly hasListener: boolean
  /** The child is a pid namespace's init: it outlives the target's exec. */
  readonly init: boolean
  /** Namespace flags the adapter must add to its clone. */
  readonly cloneFlags: number
}

/**
 * Every op of the program, in order, added to `layout`.
 *
 * @example
 * ```ts
 * import { BlockLayout } from "./block.ts"
 * import { x86_64 } from "../arch/x86_64.ts"
 *
 * declare const input: ProgramInput
 * compileOps(input, x86_64, new BlockLayout()).hasListener // false without a listener step
 * ```
 */
export const compileOps = (input: ProgramInput, table: ArchTable, layout: BlockLayout): Compiled => {
  const { syscalls: sys, constants: c, signals } = table
  const [command, ...rest] = input.argv
  if (command === undefined) throw new ProgramError({ reason: "EmptyArgv", subject: "argv" })
  const stdio = input.stdio.map((fd, index) => sourceFd(fd, `stdio[${index}]`))
  const control = sourceFd(input.control, "control")
  const steps = orderSteps(input.steps)
  const at = (step: PreExecStep): string => `steps[${input.steps.indexOf(step)}] (${step.kind})`
  const init = steps.some((step) => step.kind === "pid-namespace")
  // The init runs in the supervisor's address space (CLONE_VM) for as long as the target: a target that
  // could ptrace it (same user namespace, even as root) would own the supervisor. Landlock forbids that.
  if (init && !steps.some((step) => step.kind === "landlock")) {
    throw new ProgramError({ reason: "UnconfinedInit", subject: at(steps.find((step) => step.kind === "pid-namespace") as PreExecStep) })
  }
  const maps = steps.filter((step) => step.kind === "user-namespace")
  // A map asked for on purpose wins over the self maps fences ask for only to make their namespaces possible.
  const purposeful = maps.filter((step) => step.anyMap !== true)
  const chosenMap = purposeful[0] ?? maps[0]
  const differing = purposeful.find((step) => step.uidMap !== chosenMap?.uidMap || step.gidMap !== chosenMap?.gidMap)
  if (differing !== undefined) throw new ProgramError({ reason: "Conflict", subject: at(differing), detail: "another step maps the user namespace differently: give one identity" })
  const groups = steps.find((step) => step.kind === "groups")
  if (maps.length > 0 && groups !== undefined) {
    throw new ProgramError({ reason: "Conflict", subject: at(groups), detail: "the child maps its user namespace itself, which needs setgroups denied: leave the groups as they are" })
  }
  // A mount, a hostname or lo set up outside a namespace of the child's own would change the host's.
  const unshared = new Set(steps.flatMap((step) => (step.kind === "unshare" ? step.namespaces : [])))
  for (const step of steps) {
    const needed = namespaceOf(step)
    if (needed !== undefined && !unshared.has(needed)) {
      throw new ProgramError({ reason: "Conflict", subject: at(step), detail: `it needs an "unshare" step with "${needed}": without one it would change the host's` })
    }
  }
  const passed = passedFds(steps, at, [...stdio, control])
  // Until the control channel is on fd 3 (and its old number closed), failures are reported on its old number.
  let reportFd = control
  const add = (spec: RuleOp): number => layout.op({ ...spec, reportFd })
  const signal = (value: number, subject: string): number => {
    if (!Number.isInteger(value) || value < 1 || value > c.SIGRTMAX) throw new ProgramError({ reason: "BadSignal", subject, detail: `got ${value}` })
    return value
  }

  if (input.parentDeathSignal !== 0) {
    add({ nr: sys.prctl, mode: Mode.check, args: [c.PR_SET_PDEATHSIG, signal(input.parentDeathSignal, "parentDeathSignal"), 0, 0, 0], stage: "parent-death-signal", subject: "PR_SET_PDEATHSIG" })
    // The parent may have died before prctl took effect; then nobody would ever signal us. An init
    // sees no parent (getppid is 0 outside its namespace): it polls a pidfd of the parent's process instead,
    // readable once that process has ended, whoever else holds what it held (a socket's end, copied into another
    // child mid-clone, would still take a write).
    if (!init) add({ nr: sys.getppid, mode: Mode.expectOrExit, args: [], expected: input.parentPid, exitStatus: 1, stage: "parent-death-signal", subject: "the parent is gone" })
    else {
      const parentPidfd = sourceFd(input.parentPidfd, "parentPidfd")
      // A struct pollfd { int fd; short events; short revents } in a slot: the block may be read-only.
      add({ nr: 0, mode: Mode.value, args: [BigInt(parentPidfd) | (BigInt(c.POLLIN) << 32n)], saveSlot: stepSlots.transient, stage: "parent-death-signal", subject: "poll the parent's pidfd" })
      add({ nr: sys.ppoll, mode: Mode.expectOrExit, args: [slotScratch(stepSlots.transient), 1, layout.bytes(new Uint8Array(16)), 0, 0], expected: 0, exitStatus: 1, stage: "parent-death-signal", subject: "the parent is gone" })
    }
  }

  const defaultAction = layout.bytes(new Uint8Array(table.structs.kernelSigaction.size))
  input.signalsToDefault.forEach((value, index) => {
    const number = signal(value, `signalsToDefault[${index}]`)
    // SIGKILL and SIGSTOP cannot be caught or ignored: they are always at their default already.
    if (number === signals.SIGKILL || number === signals.SIGSTOP) return
    add({ nr: sys.rt_sigaction, mode: Mode.check, args: [number, defaultAction, 0, c.SIGSET_SIZE], stage: "signal-reset", subject: `signal ${number}` })
  })
  // An init keeps every signal blocked (it reads them from a signalfd); its target unblocks them.
  const unblock = (): void => {
    add({ nr: sys.rt_sigprocmask, mode: Mode.check, args: [c.SIG_SETMASK, layout.bytes(new Uint8Array(c.SIGSET_SIZE)), 0, c.SIGSET_SIZE], stage: "signal-mask", subject: "all signals" })
  }
  if (!init) unblock()

  stdio.forEach((fd, target) => {
    add({ nr: sys.dup3, mode: Mode.check, args: [fd, target, 0], stage: "stdio", subject: `fd ${target}` })
  })
  add({ nr: sys.dup3, mode: Mode.check, args: [control, controlFd, c.O_CLOEXEC], stage: "stdio", subject: `fd ${controlFd} (control channel)` })
  reportFd = controlFd
  for (const [parentFd, { fd }] of passed) {
    add({ nr: sys.dup3, mode: Mode.check, args: [parentFd, fd, c.O_CLOEXEC], stage: "pass-fds", subject: `fd ${parentFd} as ${fd}` })
  }
  // fd 4 stays free for the listener and the rules' transient fds; the passed fds sit above it.
  const firstClosed = firstPassedFd + passed.size
  if (passed.size > 0) add({ nr: sys.close_range, mode: Mode.check, args: [listenerFd, listenerFd, 0], stage: "close-fds", subject: `fd ${listenerFd}` })
  add({ nr: sys.close_range, mode: Mode.check, args: [passed.size > 0 ? firstClosed : listenerFd, 0xffffffff, 0], stage: "close-fds", subject: `fds ${passed.size > 0 ? firstClosed : listenerFd} and up` })

  const context = (step: PreExecStep): RuleContext => ({
    table, layout, at: at(step), scratchFd: listenerFd,
    passed: (parentFd) => {
      const entry = passed.get(parentFd)
      if (entry === undefined) throw new Error(`fd ${parentFd} of ${at(step)} was not passed`)
      return { fd: entry.fd, last: entry.last === step }
    }
  })
  const listeners = steps.filter((step) => step.kind === "seccomp" && step.listener === true)
  if (listeners.length > 1) throw new ProgramError({ reason: "TwoListeners", subject: "steps" })
  const filters: Array<{ readonly program: DataRef; readonly listener: boolean }> = []
  const placed = new Set<string>()
  for (const step of steps) {
    // The init, the maps and the one unshare (every namespace asked for) are placed once, at the first such step.
    if ((step.kind === "pid-namespace" || step.kind === "user-namespace" || step.kind === "unshare") && placed.has(step.kind)) continue
    placed.add(step.kind)
    switch (step.kind) {
      case "seccomp":
        filters.push({ program: filterProgram(table, step.bpf, at(step), layout), listener: step.listener === true })
        break
      case "pid-namespace": {
        const toTarget = initOps({
          table, layout, add, controlFd, signalFd: listenerFd,
          jumpTo: (index, target) => layout.jumpTo(index, target),
          listenerFd: listeners.length > 0 ? listenerFd : undefined,
          forwardToAll: steps.some((other) => other.kind === "setsid")
        })
        layout.jumpTo(toTarget, layout.nextOp)
        unblock()
        break
      }
      case "user-namespace":
        for (const spec of stepOps(context(step), chosenMap ?? step)) add(spec)
        break
      case "unshare": {
        const namespaces = [...new Set(steps.flatMap((other) => (other.kind === "unshare" ? other.namespaces : [])))]
        for (const spec of stepOps(context(step), { kind: "unshare", namespaces })) add(spec)
        break
      }
      default:
        for (const spec of stepOps(context(step), step)) add(spec)
    }
  }
  // The listener's filter goes last: after its install only the handshake read and execve may run.
  for (const filter of filters.filter((entry) => !entry.listener)) {
    add({ nr: sys.seccomp, mode: Mode.check, args: [c.SECCOMP_SET_MODE_FILTER, 0, filter.program], stage: "seccomp", subject: "filter" })
  }
  const listener = filters.find((entry) => entry.listener)
  if (listener !== undefined) {
    add({ nr: sys.write, mode: Mode.expect, args: [controlFd, record(layout, recordTag.installingListener, layout.nextOp + 1), recordSize], expected: recordSize, stage: "seccomp-listener", subject: "cannot announce the listener" })
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
  const cloneFlags = (maps.length > 0 ? c.CLONE_NEWUSER : 0) | (init ? c.CLONE_NEWPID : 0)
  return { hasListener: listener !== undefined, init, cloneFlags }
}
