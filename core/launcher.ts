/**
 * The launcher program: runs in the child, in the runtime kakoi runs on, and
 * turns into the target with execve (same pid). Written once against the
 * Native port; each adapter's launcher entry only binds Native and calls it.
 *
 * Order: read the job, tie the child to its parent, undo what the runtime did
 * at startup, run the preExec steps, resolve the command, build every native
 * buffer, then install the seccomp filters and call execve with no JavaScript
 * work in between. A failure is written back on the control channel before
 * _exit(127), so the parent can raise a typed error instead of a bare 127.
 */
import { accepted, decodeJob, encodeFailure, encodeListenerRecord, handshakeReadSize, type Job } from "./job.ts"
import type { Native, PreparedFilter } from "./native.ts"
import { lastSignal } from "./signals.ts"
import { orderSteps, rlimitResourceNumber, type PreExecStep, type RlimitValue } from "./steps.ts"

const PR_SET_PDEATHSIG = 1
const PR_SET_NO_NEW_PRIVS = 38
const FD_CLOEXEC = 1
const CLOSE_RANGE_CLOEXEC = 4
const X_OK = 1
const ENOENT = 2
const EACCES = 13
const SIGKILL = 9
const SIGSTOP = 19
const SIG_IGN = 1n
const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8
const RLIM_INFINITY = 0xffffffffffffffffn
/** execvp's default search path when PATH is unset. */
const defaultPath = "/usr/local/bin:/usr/bin:/bin"

class StepFailed {
  readonly stage: string
  readonly errno: number
  readonly subject: string
  constructor(stage: string, errno: number, subject: string) {
    this.stage = stage
    this.errno = errno
    this.subject = subject
  }
}

const check = (result: number, stage: string, subject: string): void => {
  if (result < 0) throw new StepFailed(stage, -result, subject)
}

const readExactly = (native: Native, fd: number, length: number): Uint8Array => {
  const bytes = new Uint8Array(length)
  let offset = 0
  while (offset < length) {
    const read = native.read(fd, bytes.subarray(offset))
    if (read <= 0) throw new StepFailed("read-job", read < 0 ? -read : 0, "control channel")
    offset += read
  }
  return bytes
}

const readJob = (native: Native, fd: number): Job => {
  const header = readExactly(native, fd, 4)
  const length = new DataView(header.buffer).getUint32(0, true)
  return decodeJob(readExactly(native, fd, length))
}

/** Runtimes mark stdio close-on-exec and ignore signals; the target must not inherit either. */
const undoRuntimeStartup = (native: Native): void => {
  for (const fd of [0, 1, 2]) {
    const flags = native.getFdFlags(fd)
    if (flags >= 0 && (flags & FD_CLOEXEC) !== 0) check(native.setFdFlags(fd, flags & ~FD_CLOEXEC), "stdio", `fd ${fd}`)
  }
  for (let signal = 1; signal <= lastSignal; signal++) {
    if (signal !== SIGKILL && signal !== SIGSTOP && native.signalDisposition(signal) === SIG_IGN) native.resetSignal(signal)
  }
  check(native.clearSignalMask(), "signal-mask", "all signals")
  // Every fd but stdio closes at execve, the control channel included: that close tells the parent exec worked.
  check(native.closeRange(3, 0xffffffff, CLOSE_RANGE_CLOEXEC), "close-fds", "fds 3 and up")
}

const rlimitNumber = (value: RlimitValue): bigint => (value === "unlimited" ? RLIM_INFINITY : value)

const runStep = (native: Native, step: Exclude<PreExecStep, { kind: "seccomp" }>): void => {
  switch (step.kind) {
    case "rlimit":
      return check(
        native.setrlimit(rlimitResourceNumber[step.resource], rlimitNumber(step.soft), rlimitNumber(step.hard)),
        "rlimit",
        step.resource
      )
    case "chdir":
      return check(native.chdir(step.path), "chdir", step.path)
    case "umask":
      native.umask(step.mask)
      return
    case "setsid":
      return check(native.setsid(), "setsid", "new session")
    case "no-new-privs":
      return check(native.prctl(PR_SET_NO_NEW_PRIVS, 1n, 0n, 0n, 0n), "no-new-privs", "PR_SET_NO_NEW_PRIVS")
  }
}

/** PATH lookup like execvp, against the target's environment rather than the launcher's. */
const resolveCommand = (native: Native, command: string, env: ReadonlyArray<string>): string => {
  if (command.includes("/")) return command
  const path = env.find((entry) => entry.startsWith("PATH="))?.slice(5) ?? defaultPath
  let denied = false
  for (const directory of path.split(":")) {
    const candidate = `${directory === "" ? "." : directory}/${command}`
    const result = native.access(candidate, X_OK)
    if (result === 0) return candidate
    if (result === -EACCES) denied = true
  }
  throw new StepFailed("resolve", denied ? EACCES : ENOENT, command)
}

/**
 * Installs a filter that has a notify listener and waits until the parent has
 * it. The listener fd is close-on-exec (the kernel makes it so), so it must be
 * fetched before execve. The parent learns its number before the install (the
 * lowest free fd, announced on the control channel), takes it with
 * pidfd_getfd, then sends one byte. The wait is one `read` of
 * `handshakeReadSize` bytes on the channel, the only call between install and
 * execve besides execve: if the policy allows read it returns the parent's
 * byte; if it notifies read, the parent (which fetched the listener while this
 * thread sleeps) answers that notification with 1 and never continues it; if
 * it denies read, the launcher fails here rather than exec unsupervised.
 */
const installWithListener = (native: Native, filter: PreparedFilter, fd: number, wait: Uint8Array): void => {
  const predicted = native.lowestFreeFd()
  check(predicted, "seccomp-listener", "no free fd")
  native.write(fd, encodeListenerRecord(predicted))
  const listener = native.installFilter(filter, SECCOMP_FILTER_FLAG_NEW_LISTENER)
  check(listener, "seccomp", "filter")
  if (listener !== predicted) throw new StepFailed("seccomp-listener", 0, `the listener got fd ${listener}, not ${predicted}`)
  const answer = native.read(fd, wait)
  if (answer !== 1) throw new StepFailed("seccomp-listener", answer < 0 ? -answer : 0, "the supervisor did not take the listener")
}

const launch = (native: Native, job: Job, fd: number): number => {
  if (job.parentDeathSignal !== 0) {
    check(native.prctl(PR_SET_PDEATHSIG, BigInt(job.parentDeathSignal), 0n, 0n, 0n), "parent-death-signal", "PR_SET_PDEATHSIG")
    // The parent may have died before prctl took effect; then nobody would ever signal us.
    if (native.getppid() !== job.parentPid) native.exit(1)
  }
  undoRuntimeStartup(native)
  const steps = orderSteps(job.steps)
  for (const step of steps) if (step.kind !== "seccomp") runStep(native, step)
  const [command = ""] = job.argv
  const prepared = native.prepareExec(resolveCommand(native, command, job.env), job.argv, job.env)
  const filters = steps.flatMap((step) =>
    step.kind === "seccomp" ? [{ prepared: native.prepareFilter(step.bpf), listener: step.listener === true }] : [])
  const wait = new Uint8Array(new ArrayBuffer(handshakeReadSize))
  // From here on only native calls: the filter is in force and must not see the runtime's own work.
  for (const filter of filters) {
    if (filter.listener) installWithListener(native, filter.prepared, fd, wait)
    else check(native.installFilter(filter.prepared, 0), "seccomp", "filter")
  }
  return native.execve(prepared)
}

/** Run the launcher on the control channel `fd`; never returns. */
export const runLauncher = (native: Native, fd = 3): never => {
  let failure: StepFailed
  try {
    const job = readJob(native, fd)
    native.write(fd, accepted)
    const result = launch(native, job, fd)
    failure = new StepFailed("exec", -result, job.argv[0] ?? "")
  } catch (error) {
    failure = error instanceof StepFailed ? error : new StepFailed("launcher", 0, String(error))
  }
  native.write(fd, encodeFailure({ stage: failure.stage, errno: failure.errno, subject: failure.subject }))
  return native.exit(127)
}
