/**
 * The pid-namespace init, as ops: the child, pid 1 of a new pid namespace,
 * forks the target and then only reaps and forwards, written in the program's
 * own instructions (slots and jumps, format.ts) rather than new machine code.
 *
 * The target is a CLONE_VM | CLONE_VFORK | CLONE_FILES child on the init's own
 * stack: the init sleeps until the target execs (or fails and exits), and the
 * target's fds (its notify listener among them) are the init's until then, so
 * the supervisor can take the listener from the init's pidfd. The init keeps
 * every signal blocked and reads them from a signalfd: an init ignores
 * signals it has no handler for, but never blocked ones. SIGCHLD reaps (every
 * orphan in the namespace comes to it); anything else goes on to the target
 * (or, when the target leads its own session, to every process in the
 * namespace: the contained form of its process group). After the target's
 * exec it waits for the supervisor to read the target's outer pid. A target
 * that asks to be traced (PTRACE_TRACEME) makes the init its tracer: each
 * of its signal stops is let go, so only its end is taken for its end.
 * When the target is reaped, its wait status goes to the supervisor as a
 * record (an init cannot die of the target's signal) and the init exits,
 * which makes the kernel kill what is left in the namespace.
 */
import type { ArchTable } from "../arch/mod.ts"
import type { BlockLayout } from "./block.ts"
import { Mode, recordSize, recordTag, slotScratch, type Mode as ModeValue } from "./format.ts"
import type { RuleOp } from "./rules/mod.ts"

/**
 * Slots (format.ts) the init uses: the status record's head and its wait status are adjacent. `detached` is
 * a step's slot: the steps ran in the target, before its exec, and the init uses it only after that.
 */
const slot = { record: 1, status: 2, target: 3, reaped: 4, detached: 5, siginfo: 16 } as const

interface InitPlan {
  readonly table: ArchTable
  readonly layout: BlockLayout
  /** Adds an op, reported on fd 3; returns its index. */
  readonly add: (op: RuleOp) => number
  /** Points the jump op at `index` to the op `target`. */
  readonly jumpTo: (index: number, target: number) => void
  readonly controlFd: number
  /** The fd the target's listener had, which the init closes once the target has exec'd; undefined without one. */
  readonly listenerFd: number | undefined
  /** The fd the init's signalfd gets (the lowest free one then). */
  readonly signalFd: number
  /**
   * Forward signals to every process of the namespace but the init (kill(-1)), the contained form of
   * signalling the target's process group: descendants that left the group get them too. Else the target alone.
   */
  readonly forwardToAll: boolean
}

/**
 * The signal the supervisor sends an init for SIGSTOP (which no process can
 * block or read from a signalfd): the highest real-time one, which kakoi's
 * signal names never reach.
 *
 * @example
 * ```ts
 * import { stopSignalProxy } from "./init.ts"
 *
 * stopSignalProxy(64) // 64
 * ```
 */
export const stopSignalProxy = (sigrtmax: number): number => sigrtmax

/**
 * Emits the fork and the init's loop; returns the index of the jump op that
 * must go to where the target's own ops start (the caller emits them next).
 *
 * @example
 * ```ts
 * declare const plan: Parameters<typeof initOps>[0]
 * const toTarget = initOps(plan)
 * plan.jumpTo(toTarget, plan.layout.nextOp)
 * ```
 */
export const initOps = (plan: InitPlan): number => {
  const { table, layout, add, jumpTo, controlFd } = plan
  const { syscalls: sys, constants: c, signals } = table
  const stage = "pid-namespace"
  const jump = (mode: ModeValue, a: RuleOp["args"][number], b: RuleOp["args"][number], subject: string): number =>
    add({ nr: 0, mode, args: [a, b], stage, subject })
  const record = (tag: number): ReturnType<BlockLayout["bytes"]> => {
    const bytes = new Uint8Array(recordSize)
    new DataView(bytes.buffer).setUint32(0, tag, true)
    return layout.bytes(bytes)
  }

  const forkFlags = c.CLONE_VM | c.CLONE_VFORK | c.CLONE_FILES | signals.SIGCHLD
  // No new stack: with CLONE_VFORK the target runs on ours while we sleep (vfork(2) does the same).
  add({ nr: sys.clone, mode: Mode.check, args: [forkFlags, 0, 0, 0, 0], saveSlot: slot.target, stage, subject: "fork the target" })
  const toTarget = jump(Mode.jumpIfEqual, { slot: slot.target }, 0, "the target's ops")
  // Here the target has exec'd or exited; its fd table is its own now.
  if (plan.listenerFd !== undefined) add({ nr: sys.close, mode: Mode.ignore, args: [plan.listenerFd], stage, subject: "the init's copy of the listener" })
  add({ nr: sys.write, mode: Mode.expectOrExit, args: [controlFd, record(recordTag.started), recordSize], expected: recordSize, exitStatus: 1, stage, subject: "the supervisor is gone" })
  // Until the supervisor has read the target's outer pid from our children (its byte, or end of file), the
  // target stays our unreaped child even if it has ended: its pid cannot be anyone else's meanwhile.
  add({ nr: sys.read, mode: Mode.ignore, args: [controlFd, slotScratch(slot.siginfo), 1], stage, subject: "the supervisor has the target's pid" })
  const everySignal = layout.bytes(new Uint8Array(c.SIGSET_SIZE).fill(0xff))
  add({ nr: sys.signalfd4, mode: Mode.expect, args: [-1, everySignal, c.SIGSET_SIZE, c.SFD_CLOEXEC], expected: plan.signalFd, stage, subject: "signalfd" })
  add({ nr: 0, mode: Mode.value, args: [BigInt(recordTag.targetStatus)], saveSlot: slot.record, stage, subject: "status record" })

  const loop = add({ nr: sys.read, mode: Mode.expect, args: [plan.signalFd, slotScratch(slot.siginfo), table.structs.signalfdSiginfo.size], expected: table.structs.signalfdSiginfo.size, stage, subject: "read a signal" })
  const toReap = jump(Mode.jumpIfEqual, { slot: slot.siginfo }, signals.SIGCHLD, "SIGCHLD")
  const whom = plan.forwardToAll ? -1 : { slot: slot.target }
  // SIGSTOP cannot be blocked: sent to us, it would stop the init, not the target. The supervisor sends stopSignalProxy instead.
  const toStop = jump(Mode.jumpIfEqual, { slot: slot.siginfo }, stopSignalProxy(c.SIGRTMAX), "the stand-in for SIGSTOP")
  add({ nr: sys.kill, mode: Mode.ignore, args: [whom, { slot: slot.siginfo }], stage, subject: "forward a signal" })
  jumpTo(jump(Mode.jumpIfEqual, 0, 0, "wait for the next signal"), loop)
  jumpTo(toStop, add({ nr: sys.kill, mode: Mode.ignore, args: [whom, signals.SIGSTOP], stage, subject: "forward SIGSTOP" }))
  jumpTo(jump(Mode.jumpIfEqual, 0, 0, "wait for the next signal"), loop)

  const reap = add({ nr: 0, mode: Mode.value, args: [0], saveSlot: slot.status, stage, subject: "clear the status" })
  jumpTo(toReap, reap)
  add({ nr: sys.wait4, mode: Mode.check, args: [-1, slotScratch(slot.status), c.WNOHANG, 0], saveSlot: slot.reaped, stage, subject: "reap" })
  jumpTo(jump(Mode.jumpIfEqual, { slot: slot.reaped }, 0, "nothing more to reap"), loop)
  jumpTo(jump(Mode.jumpIfNotEqual, { slot: slot.reaped }, { slot: slot.target }, "an orphan was reaped"), reap)
  // A target that made us its tracer (PTRACE_TRACEME) is reported at its signal stops too, not only at its end:
  // let it go (its stop signal is dropped, as a debugger would) and reap on. An ended target is not there to let go.
  add({ nr: sys.ptrace, mode: Mode.ignore, args: [c.PTRACE_DETACH, { slot: slot.target }, 0, 0], saveSlot: slot.detached, stage, subject: "let a tracing target go" })
  jumpTo(jump(Mode.jumpIfEqual, { slot: slot.detached }, 0, "the target had only stopped"), reap)
  // The target is gone: its wait status to the supervisor, then end the namespace.
  add({ nr: sys.write, mode: Mode.ignore, args: [controlFd, slotScratch(slot.record), recordSize], stage, subject: "report the target's status" })
  add({ nr: sys.exit_group, mode: Mode.ignore, args: [0], stage, subject: "end the namespace" })
  return toTarget
}
