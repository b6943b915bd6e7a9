/**
 * The native launcher, parent side, written once over an adapter's `Libc` and
 * poll thread: compile the child program, clone into the interpreter, and
 * watch the child through its pidfd on the process's one poll thread.
 *
 * The clone: glibc `clone(interpreter, stack, CLONE_VM | CLONE_PIDFD
 * [| CLONE_VFORK], block)`, with every signal blocked in the calling thread
 * around it (the child shares our memory until execve, so no handler of ours
 * may run in it; the program resets dispositions and clears its mask itself).
 * With CLONE_VFORK this thread sleeps until the child has exec'd or exited.
 * A program with a notify listener runs without it: the parent must fetch the
 * listener while the child waits, so the block and stack stay ours until the
 * control channel reaches end of file (exec or exit).
 *
 * The spawned pid is the target's; it is signalled through its pidfd and
 * reaped with waitid(P_PIDFD), so a recycled pid is never hit. The process
 * group it leads after a setsid step is signalled through the pidfd too
 * (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9: the group of that very process, not
 * of a number), even after the reap, until the owner releases the child:
 * descendants left in the group can still be stopped, and a new process that
 * got the number can never be. On older kernels, kill(-pid) stands in, and
 * only while the child is not reaped (until then no one else can hold the id).
 *
 * A program with an init (a pid namespace) adds its namespace flags to the
 * clone and never uses CLONE_VFORK: the child is the namespace's init, which
 * runs on our block and stack until it exits (control channel end of file).
 * Its `started` record says the target exec'd; its exit is the target's wait
 * status from its `targetStatus` record. The pid reported is the target's as
 * the supervisor sees it (read from the init's children before the init may
 * reap it); signals go to the init through its pidfd (it forwards them;
 * SIGKILL ends the namespace).
 */
import { checked, type Libc } from "../libc.ts"
import type { LaunchingChild } from "../plugin.ts"
import { fdWatcher, pollSystem, type FdWatcher, type PollOffThread } from "../poll.ts"
import type { ProcessStatus } from "../runtime.ts"
import { signalName, signalNumber, type SignalName } from "../signals.ts"
import type { StdioOption } from "../spec.ts"
import type { PreExecStep } from "../steps.ts"
import { mapCode, stackPool, type CodePage } from "./memory.ts"
import { constants, errno, signals, structs } from "../arch/generic.ts"
import { interpreter, type ChildProgram, type LaunchFailure } from "../program/mod.ts"
import { programCache } from "../program/cache.ts"
import { stopSignalProxy } from "../program/init.ts"
import { archTable } from "../arch/mod.ts"
import { inheritedLimits, signalsToDefault } from "./inherit.ts"
import { childStdio, fdTools, type FdTools } from "./stdio.ts"
import { controlChannels, likelyVfork, type Channel } from "./channel.ts"
import { cloneRefused, programPid, statusFromWait, targetOf } from "./contained.ts"
import { concatBytes as concat } from "../bytes.ts"

/** What the runtime's FFI gives the launcher. */
export interface LaunchBinding {
  readonly libc: Libc
  readonly poll: PollOffThread
  /** Signals the runtime ignores for itself at startup: a target gets them back at SIG_DFL. */
  readonly runtimeIgnores: ReadonlyArray<number | "SIGPIPE" | "SIGXFSZ">
}

/** Everything one child needs, as the lifecycle hands it over. */
export interface LaunchRequest {
  readonly argv: ReadonlyArray<string>
  /** "NAME=value" entries: the target's whole environment. */
  readonly env: ReadonlyArray<string>
  readonly steps: ReadonlyArray<PreExecStep>
  readonly stdio: readonly [StdioOption, StdioOption, StdioOption]
  /** Signal number for PR_SET_PDEATHSIG, 0 for none. */
  readonly parentDeathSignal: number
}

/** A cloned child, before and after its execve. */
export interface NativeChild {
  /** The target's pid (under an init: once `started` has resolved; the init's until then). */
  readonly pid: number
  /** The parent's ends of the child's pipes: stdin (write), stdout and stderr (read); non-blocking. */
  readonly pipes: readonly [number | undefined, number | undefined, number | undefined]
  /** Closes `pipes`, for an owner that never made streams of them (the start failed: no target will use them). */
  readonly closePipes: () => void
  /** What `launched` hooks talk to while the child prepares. */
  readonly launching: LaunchingChild
  /** Resolves once the target runs (undefined) or with the failure the child reported: at end of file, or an init's `started` record. */
  readonly started: Promise<LaunchFailure | undefined>
  /**
   * What `started` resolved with, as soon as it has (undefined until then):
   * after a CLONE_VFORK clone the launching thread knows it before `launch`
   * returns, and an owner that reads it here goes on without waiting for a
   * promise callback.
   */
  readonly startedWith: () => { readonly failure: LaunchFailure | undefined } | undefined
  readonly exited: Promise<ProcessStatus>
  readonly kill: (signal: SignalName) => boolean
  /** The owner is done with the child's group: once the child is reaped, its pidfd closes and signalGroup no longer reaches it. */
  readonly release: () => void
}

/**
 * Signal every process in the group led by a child of this launcher that is
 * not released yet; false for any other group (gone, never ours, or its id
 * possibly reused by now) and when no process of it is left.
 *
 * @example
 * ```ts
 * declare const launcher: Launcher
 * const child = launcher.launch({ argv: ["sh", "-c", "sleep 30 & wait"], env: [], steps: [{ kind: "setsid" }], stdio: ["ignore", "ignore", "ignore"], parentDeathSignal: 9 })
 * launcher.signalGroup(child.pid, "SIGTERM") // the sh and its sleep
 * ```
 */
export type SignalGroup = (pgid: number, signal: SignalName) => boolean

/** A child whose group may still be signalled: until its pidfd is closed (released and reaped, or its group empty after the reap). */
interface Group {
  readonly pid: number
  readonly pidfd: number
  readonly reaped: () => boolean
  readonly open: () => boolean
  readonly close: () => void
}

/**
 * A clone refused for the namespaces the program asked for: the launch
 * failure (stage "user-namespace" or "pid-namespace") for the fence plugins
 * to explain.
 *
 * @example
 * ```ts
 * const refused = new CloneRefused({ stage: "user-namespace", errno: 1, subject: "clone(CLONE_NEWUSER | CLONE_NEWPID)" })
 * refused.failure.errno // 1
 * ```
 */
export class CloneRefused extends Error {
  readonly failure: LaunchFailure
  constructor(failure: LaunchFailure) {
    super(`${failure.subject} failed with errno ${failure.errno}`)
    this.failure = failure
  }
}

/** The launcher of one process: `launch` starts a child, or throws an Error that says which call failed. */
export interface Launcher {
  readonly launch: (request: LaunchRequest) => NativeChild
  readonly signalGroup: SignalGroup
  /** The supervisor's pid. */
  readonly pid: number
}


/** Reads what is there now: [bytes, ended] (ended at end of file or an error, e.g. ECONNRESET after the handshake). */
const drain = (libc: Libc, fd: number, into: Array<Uint8Array>): boolean => {
  for (;;) {
    const count = checked(libc.call.read(fd, readBuffer, readBuffer.byteLength), libc.errno)
    if (count === -errno.EAGAIN) return false
    if (count === -errno.EINTR) continue
    if (count <= 0) return true
    into.push(readBuffer.slice(0, count))
  }
}
/** Where `drain` reads (the bytes read are copied out): most reads find nothing, and need no buffer of their own. */
const readBuffer = new Uint8Array(4096)

/** How long the launching thread waits for a target that has just exec'd to end (see `endsSoon`). */
const exitGraceMs = 1
/** How long it waits for an init's report that its target exec'd (see `startsSoon`), about what a CLONE_VFORK clone would block it. */
const startGraceMs = 5

/** A program block imaged for its own address. */
interface Block {
  readonly bytes: Uint8Array
  readonly address: bigint
}
/** How many imaged blocks a program keeps for its next spawns (children that are out at once each hold one). */
const sparesPerProgram = 4

/** The exit in a waitid siginfo, or undefined while the child still runs. */
const statusOf = (info: DataView): ProcessStatus | undefined => {
  if (info.getInt32(structs.siginfo.pid, true) === 0) return undefined
  const code = info.getInt32(structs.siginfo.code, true)
  const status = info.getInt32(structs.siginfo.status, true)
  return code === constants.CLD_EXITED ? { exitCode: status, signal: undefined } : { exitCode: undefined, signal: signalName(status) }
}

/**
 * The launcher over one runtime's binding. Loads the interpreter and takes
 * the inherited state (limits, ignored signals) once, now.
 *
 * @example
 * ```ts
 * declare const binding: LaunchBinding
 * const launcher = nativeLauncher(binding)
 * const child = launcher.launch({ argv: ["true"], env: [], steps: [], stdio: ["ignore", "ignore", "ignore"], parentDeathSignal: 9 })
 * ```
 */
export const nativeLauncher = (binding: LaunchBinding): Launcher => {
  const { libc } = binding
  const tools: FdTools = fdTools(libc)
  const channels = controlChannels(tools)
  const watcher: FdWatcher = fdWatcher(pollSystem(libc, binding.poll))
  const pid = Number(libc.call.getpid())
  const limits = inheritedLimits(libc)
  const toDefault = signalsToDefault(libc, binding.runtimeIgnores)
  const stacks = stackPool(libc)
  // The same request again (a restart, a loop) gets the program compiled for it before.
  const compile = programCache()
  // Blocks whose child is done with them (exec'd or exited), by program. A child never writes its block (format.ts:
  // what it writes goes to its stack), so the next spawn of the same program clones onto one as it is, with no
  // allocation, copy or pointer fix-up (0.01-0.02 ms of a spawn on Bun and Deno).
  const spareBlocks = new WeakMap<ChildProgram, Array<Block>>()
  const takeBlock = (program: ChildProgram): Block => {
    const spare = spareBlocks.get(program)?.pop()
    if (spare !== undefined) return spare
    const bytes = new Uint8Array(new ArrayBuffer(program.size + 16))
    const address = libc.address(bytes)
    bytes.set(program.image(address))
    return { bytes, address }
  }
  const giveBlock = (program: ChildProgram, block: Block): void => {
    const spares = spareBlocks.get(program) ?? []
    if (spares.length < sparesPerProgram) spares.push(block)
    spareBlocks.set(program, spares)
  }
  const { syscalls } = archTable()
  // The children whose group may still be signalled (not released, or not reaped yet), by pid: their pidfd and whether they are reaped.
  const groups = new Map<number, Group>()
  const pidfdSignal = (pidfd: number, signal: number, flags: number): number =>
    checked(libc.call.syscall(syscalls.pidfd_send_signal, pidfd, signal, 0, flags, 0), libc.errno)
  let code: CodePage | undefined
  let devNull: number | undefined
  let ownPidfd: number | undefined
  // Never-moving scratch: the full and the saved signal mask and the pidfd out-parameter of the clone call, and
  // a struct pollfd for the wait on a short child.
  const scratch = new Uint8Array(new ArrayBuffer(32))
  scratch.fill(0xff, 0, 8)
  const scratchAddress = libc.address(scratch)
  const scratchView = new DataView(scratch.buffer)

  /**
   * The target has just exec'd: a short one (a `/bin/true`, a failed exec) is
   * often done within a millisecond. Waiting for that here, on this thread,
   * saves the poll thread's round trip through the event loop (0.1-0.3 ms on
   * Deno and Bun); a longer child costs this thread up to `exitGraceMs`.
   */
  const endsSoon = (pidfd: number): boolean => readableWithin(pidfd, exitGraceMs)
  /** Whether `fd` is readable within `ms`, polled on this thread. */
  const readableWithin = (fd: number, ms: number): boolean => {
    scratchView.setInt32(24, fd, true)
    scratchView.setInt16(28, constants.POLLIN, true)
    scratchView.setInt16(30, 0, true)
    return Number(libc.call.poll(scratchAddress + 24n, 1, ms)) === 1
  }

  const launch = (request: LaunchRequest): NativeChild => {
    code ??= (() => {
      const { code: bytes, entry } = interpreter()
      return mapCode(libc, bytes, entry)
    })()
    devNull ??= tools.high(tools.must("open /dev/null", tools.open("/dev/null", constants.O_RDWR)))
    // A pidfd of this process, for an init to learn that we did not die before its parent-death signal was set.
    const parentPidfd = (ownPidfd ??= tools.high(tools.must("pidfd_open", checked(libc.call.syscall(syscalls.pidfd_open, pid, 0, 0, 0, 0), libc.errno))))
    const stdio = childStdio(tools, request.stdio, devNull)
    const programFor = (control: number): ChildProgram =>
      compile({
        argv: request.argv,
        env: request.env,
        steps: [...limits, ...request.steps],
        stdio: stdio.sources,
        control,
        parentDeathSignal: request.parentDeathSignal,
        parentPid: pid,
        parentPidfd,
        signalsToDefault: toDefault()
      })
    let channel: Channel | undefined
    let program: ChildProgram
    try {
      channel = channels.take(likelyVfork(request.steps))
      program = programFor(channel.theirs)
      // Guessed wrong: a child that is not cloned with CLONE_VFORK reports past its clone, on a channel of its own;
      // one that is reports all before clone returns, on the shared one.
      if (channel.shared !== program.mayVfork) {
        channels.close(channel)
        channel = channels.take(program.mayVfork)
        program = programFor(channel.theirs)
      }
    } catch (error) {
      if (channel !== undefined) channels.close(channel)
      for (const fd of [...stdio.childOnly, ...stdio.parent]) if (fd !== undefined) tools.close(fd)
      throw error
    }
    const { mine, theirs, shared } = channel
    const closeChildEnds = (): void => {
      for (const fd of shared ? stdio.childOnly : [...stdio.childOnly, theirs]) tools.close(fd)
    }
    let block: Block | undefined
    const stack = stacks.take()
    let childPid: number
    let pidfd: number
    try {
      block = takeBlock(program)
      const { address } = block
      // No exit signal (the clone flags' low byte is 0): the end is read from the pidfd, and a SIGCHLD would only wake
      // the runtime's own handler (Bun's, libuv's, tokio's), which then looks over its own children for nothing. The
      // kernel gives a child that exec'd SIGCHLD back at its exit, so this spares it only an init (which never execs).
      const flags = constants.CLONE_VM | constants.CLONE_PIDFD | program.cloneFlags | (program.mayVfork ? constants.CLONE_VFORK : 0)
      libc.call.syscall(syscalls.rt_sigprocmask, constants.SIG_SETMASK, scratchAddress, scratchAddress + 8n, constants.SIGSET_SIZE, 0)
      childPid = Number(libc.call.clone(code.entry, stack.top, flags, address, scratchAddress + 16n))
      const cloneErrno = childPid < 0 ? libc.errno() : 0
      libc.call.syscall(syscalls.rt_sigprocmask, constants.SIG_SETMASK, scratchAddress + 8n, 0, constants.SIGSET_SIZE, 0)
      if (childPid < 0) {
        // The host refused the namespaces (a sysctl, an LSM, an outer seccomp profile): the fences explain it.
        const refused = cloneRefused(program.cloneFlags, cloneErrno)
        if (refused !== undefined) throw new CloneRefused(refused)
        throw new Error(`clone failed with errno ${cloneErrno}`)
      }
      pidfd = scratchView.getInt32(16, true)
    } catch (error) {
      stacks.give(stack)
      closeChildEnds()
      if (!shared) tools.close(mine)
      for (const fd of stdio.parent) if (fd !== undefined) tools.close(fd)
      throw error
    }
    // The control channel: everything the child reports until end of file (or, shared, what is there now: a
    // CLONE_VFORK child has reported all it will by the time clone returns; read it before anything else).
    const received: Array<Uint8Array> = []
    if (shared) drain(libc, mine, received)
    closeChildEnds()
    for (const fd of stdio.parent) if (fd !== undefined) tools.nonBlocking(fd)

    const reportWatchers = new Set<() => void>()
    let installing = false
    let startOutcome: { readonly failure: LaunchFailure | undefined } | undefined
    let resolveStarted: (failure: LaunchFailure | undefined) => void = () => {}
    const started = new Promise<LaunchFailure | undefined>((resolve) => (resolveStarted = resolve))
    const finish = (failure: LaunchFailure | undefined): void => {
      startOutcome ??= { failure }
      resolveStarted(failure)
    }
    let open = true
    const ended = (): void => {
      open = false
      if (!shared) tools.close(mine)
      stacks.give(stack)
      // The block is free now: the child runs on its own memory (execve) or not at all.
      if (block !== undefined) giveBlock(program, block)
      block = undefined
      finish(program.decode(concat(received)).failure)
    }
    // An init's target, by its pid outside the namespace, once the init has said it exec'd (or once we end it).
    let targetPid: number | undefined
    let startRead = false
    /**
     * Before we signal an init whose start report is not read yet (a notify handler that answers kill can
     * come first: the target runs, and calls, before the init has written that it exec'd), its target is
     * read now: the init, alive until our signal, has not reaped it, so the pid is still the target's.
     */
    const learnTarget = (): void => {
      if (program.init && targetPid === undefined && status === undefined) targetPid = targetOf(libc, childPid)
    }
    const onBytes = (): void => {
      if (program.init && !startRead) {
        // An init reports its target's exec (or failure) long before its own end of file.
        const report = program.decode(concat(received))
        if (report.started) {
          startRead = true
          targetPid ??= targetOf(libc, childPid) ?? childPid
          // The init keeps the target unreaped until this byte (or our end of file): the pid was still its.
          libc.call.write(mine, Uint8Array.of(1), 1)
        }
        if (report.started || report.failure !== undefined) finish(report.failure)
      }
      if (installing || !program.decode(concat(received)).installingListener) return
      installing = true
      for (const watcher of reportWatchers) watcher()
    }
    // Whether the poll thread reads the channel (else this thread does: right after the clone, and at the reap).
    let channelWatched = false
    const watchChannel = (): void => {
      channelWatched = true
      const cancel = watcher.watch(mine, constants.POLLIN, () => {
        const done = drain(libc, mine, received)
        onBytes()
        if (done) {
          cancel()
          ended()
        }
      })
    }
    /** The init's reports, read on this thread until the start is known (or end of file); false if that took longer than `startGraceMs`. */
    const startsSoon = (): boolean => {
      // Date.now, not performance.now: Node loads perf_hooks on the first use of `performance`, 2 ms of a
      // `kakoi run`'s start-up. A wall-clock step can only end the wait early or make one round wait the full grace.
      const deadline = Date.now() + startGraceMs
      for (;;) {
        const left = Math.min(startGraceMs, Math.ceil(deadline - Date.now()))
        if (left <= 0 || !readableWithin(mine, left)) return false
        const done = drain(libc, mine, received)
        onBytes()
        if (done) ended()
        if (done || startOutcome !== undefined) return true
      }
    }
    if (shared) ended()
    else {
      tools.nonBlocking(mine)
      // An init with no listener to hand over reports its target's exec within moments: read that here (as a
      // CLONE_VFORK clone would wait), not through the poll thread's round trips (0.3-0.8 ms of a contained
      // spawn, measured in each runtime). The rest (the target's status, end of file) is read when it is reaped.
      if (!(program.init && !program.hasListener && startsSoon())) watchChannel()
    }

    // The exit: the pidfd becomes readable once the child is a zombie.
    let status: ProcessStatus | undefined
    let released = false
    // The pidfd outlives the reap while the group may still be signalled through it.
    let pidfdOpen = true
    const closePidfd = (): void => {
      if (!pidfdOpen) return
      pidfdOpen = false
      // A later child may have the pid by now (once this group is empty the number is free): leave its entry alone.
      if (groups.get(childPid) === group) groups.delete(childPid)
      tools.close(pidfd)
    }
    const group: Group = { pid: childPid, pidfd, reaped: () => status !== undefined, close: closePidfd, open: () => pidfdOpen }
    // An init stays in the supervisor's own process group (its target makes the session inside the namespace):
    // that group is never the child's to signal. Ending the init ends everything in its namespace instead.
    const ownGroup = !program.init
    if (ownGroup) groups.set(childPid, group)
    const info = new Uint8Array(structs.siginfo.size)
    /** Reaps the child if it has ended, else undefined; its pidfd stays open while its group may still be signalled. */
    const reap = (): ProcessStatus | undefined => {
      info.fill(0)
      // __WALL: a child with no exit signal is a "clone" child, which waitid skips without it.
      const result = checked(libc.call.waitid(constants.P_PIDFD, pidfd, info, constants.WEXITED | constants.WNOHANG | constants.__WALL), libc.errno)
      const reaped = result < 0 ? { exitCode: undefined, signal: undefined } : statusOf(new DataView(info.buffer))
      if (reaped === undefined) return undefined
      // An init wrote its target's status before it exited: it is in the channel now, whatever the poll order.
      if (program.init && open) {
        drain(libc, mine, received)
        // Read on this thread so far: the init is gone (and with it the stack and block's last user), so the channel is done.
        if (!channelWatched) ended()
      }
      const reported = program.init ? program.decode(concat(received)).targetStatus : undefined
      const final = reported === undefined ? reaped : statusFromWait(reported)
      status = final
      // Released, or no process left in its group (which then stays empty for good): nothing more to signal.
      if (released || !ownGroup || pidfdSignal(pidfd, 0, constants.PIDFD_SIGNAL_PROCESS_GROUP) === -errno.ESRCH) closePidfd()
      return final
    }
    // The wait starts once this turn's synchronous work is done (a microtask): the owner's setup after the start
    // (the lifecycle's, run()'s) then runs while the target does, instead of after the launching thread's wait.
    const exited = new Promise<ProcessStatus>((resolve) => queueMicrotask(() => {
      // A child whose start this thread waited for (CLONE_VFORK, or an init read here) may well be done already.
      const early = channelWatched || !endsSoon(pidfd) ? undefined : reap()
      if (early !== undefined) return resolve(early)
      const cancel = watcher.watch(pidfd, constants.POLLIN, () => {
        const ended = reap()
        if (ended === undefined) return
        cancel()
        resolve(ended)
      })
    }))

    const launching: LaunchingChild = {
      pid: childPid,
      pidfd,
      isProgram: programPid(libc, childPid, program.init),
      listenerFd: program.listenerFd,
      handshake: { readSize: program.handshakeReadSize, code: { start: code.start, end: code.end } },
      whenInstallingListener: (listener) => {
        if (installing) listener()
        else reportWatchers.add(listener)
        return () => reportWatchers.delete(listener)
      },
      send: (bytes) => open && checked(libc.call.write(mine, bytes, bytes.byteLength), libc.errno) === bytes.byteLength,
      stop: () => {
        learnTarget()
        if (status === undefined) pidfdSignal(pidfd, signals.SIGKILL, 0)
        if (ownGroup) signalOwnGroup(group, "SIGKILL")
      }
    }
    let pipesClosed = false
    return {
      get pid() {
        return targetPid ?? childPid
      },
      pipes: stdio.parent,
      closePipes: () => {
        // Once: a second close could hit a number some other open got since.
        if (pipesClosed) return
        pipesClosed = true
        for (const fd of stdio.parent) if (fd !== undefined) tools.close(fd)
      },
      launching,
      started,
      startedWith: () => startOutcome,
      exited,
      // An init forwards what it reads from its signalfd; SIGSTOP would stop the init itself, so it gets the stand-in.
      kill: (signal) => {
        learnTarget()
        return status === undefined && pidfdSignal(pidfd, program.init && signal === "SIGSTOP" ? stopSignalProxy(constants.SIGRTMAX) : signalNumber(signal), 0) === 0
      },
      release: () => {
        if (released) return
        released = true
        if (status !== undefined) closePidfd()
      }
    }
  }
  const signalOwnGroup = (group: Group, signal: SignalName): boolean => {
    if (!group.open()) return false
    const result = pidfdSignal(group.pidfd, signalNumber(signal), constants.PIDFD_SIGNAL_PROCESS_GROUP)
    // A reaped child's group that is empty now stays empty: its pidfd can go.
    if (result === -errno.ESRCH && group.reaped()) group.close()
    if (result !== -errno.EINVAL) return result === 0
    // Before Linux 6.9 (EINVAL for the flag): kill(-pgid), only while the child is not reaped. Our reap runs on this
    // thread (the pidfd watcher's callback), so it cannot come between the check and the kill; signal 0 through the
    // pidfd fails (ESRCH) should anything else have reaped the child.
    return !group.reaped() && pidfdSignal(group.pidfd, 0, 0) === 0 &&
      checked(libc.call.syscall(syscalls.kill, -group.pid, signalNumber(signal), 0, 0, 0), libc.errno) === 0
  }
  const signalGroup: SignalGroup = (pgid, signal) => {
    const group = groups.get(pgid)
    return group !== undefined && signalOwnGroup(group, signal)
  }
  return { launch, signalGroup, pid }
}

