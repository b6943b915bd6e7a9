/**
 * One child's listener: answers each notification with the handler of the
 * rule that matched, fail closed (a handler that throws, answers late, or is
 * missing denies the call), injects the fds handlers open for the child
 * (ADDFD), and recognises the child program's handshake read so it never
 * reaches a handler.
 */
import { Clock, Effect, Option } from "effect"
import { constants, errno, signals } from "../../../core/arch/generic.ts"
import type { Policy } from "../model.ts"
import { effectiveAction } from "../plan.ts"
import type { Notification, NotifyHandler, Verdict } from "./handler.ts"
import type { ListenerLoop } from "./loop.ts"
import { matchRule } from "./match.ts"
import { attachMemory } from "./memory.ts"
import { attachFiles } from "./paths.ts"
import { encodeResponse, notifRespSize, type RawNotification, type Response } from "./struct.ts"
import type { ListenerSystem } from "./system.ts"

/** How one child's notifications are answered. */
export interface Supervision {
  readonly policy: Policy
  /** The handler for a matched rule (undefined: the default action notified). */
  readonly handlerFor: (rule: number | undefined) => NotifyHandler | undefined
  /** The syscall's name for a notification's arch and number. */
  readonly nameOf: (arch: number, syscall: number) => string
  /** How long a handler may take, in milliseconds. */
  readonly timeoutMs: number
  /** The errno for calls no handler answered in time, or whose handler threw or is missing. */
  readonly errno: number
  /**
   * How to spot the child program's one handshake read: the child program's pid (the child's, or its init's target), the
   * number of `read`, the read's count and the interpreter's code range (the
   * read is the program's, not the target's, only if it was made from there).
   */
  readonly launcher: {
    /** The child's pid (an init's, under one), which a `kill` verdict ends. */
    readonly pid: number
    readonly isProgram: (pid: number) => boolean
    readonly readSyscall: number
    readonly readSize: number
    readonly code: { readonly start: bigint; readonly end: bigint }
  }
  /** Told of a call whose handler answered `kill`, before the child is killed. */
  readonly onKill: (notification: Notification) => void
  /** SIGKILL to the child and its process group, through its pidfd (`LaunchingChild.stop`). */
  readonly stopChild: () => void
  /** Told of every notification (not the handshake read) before it is answered: observers, never deciders. */
  readonly observe?: ((notification: Notification) => void) | undefined
}

const { SIGKILL } = signals
const { ENOENT } = errno
/** The kernel's largest errno: a larger "error" would read as a return value. */
const { MAX_ERRNO } = constants

type Answer = Exclude<Verdict, { readonly kind: "kill" } | { readonly kind: "fd" }>

const toResponse = (verdict: Answer): Response =>
  verdict.kind === "allow" ? { kind: "continue" } : verdict.kind === "fail" ? { kind: "fail", errno: verdict.errno } : verdict

const isInteger = (value: unknown, min: number, max: number): boolean =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max

/** A verdict whose fields the kernel can take: anything else a handler returns denies the call. */
const isVerdict = (value: unknown): value is Verdict => {
  if (typeof value !== "object" || value === null) return false
  const verdict = value as { readonly kind?: unknown; readonly errno?: unknown; readonly value?: unknown; readonly fd?: unknown }
  switch (verdict.kind) {
    case "allow":
    case "kill":
      return true
    case "fail":
      // 0 would read as "returned 0": a fake success, not a failure.
      return isInteger(verdict.errno, 1, MAX_ERRNO)
    case "return":
      return typeof verdict.value === "bigint"
    case "fd":
      return isInteger(verdict.fd, 0, 0x7fff_ffff)
    default:
      return false
  }
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

/**
 * The handler's verdict, or undefined if it threw, failed, returned nonsense
 * or answered after `timeoutMs`. Effect.timeout interrupts an Effect handler
 * and abandons a Promise at the deadline; a synchronous handler blocks the
 * event loop, so no timer can stop it: its answer is checked against the
 * Clock when it arrives, and a late one is replaced by the deny. A verdict
 * thrown away late hands its fd to `discard`.
 */
const decide = (
  handler: NotifyHandler,
  notification: Notification,
  timeoutMs: number,
  discard: (verdict: Verdict) => void
): Effect.Effect<Verdict | undefined> =>
  Effect.gen(function*() {
    // Monotonic: a wall-clock step must not make a late answer look timely.
    const received = yield* Clock.monotonicTimeNanos
    const elapsedMs = Effect.map(Clock.monotonicTimeNanos, (now) => Number(now - received) / 1e6)
    let result: ReturnType<NotifyHandler>
    try {
      result = handler(notification)
    } catch {
      return undefined
    }
    let answered: unknown = result
    if (Effect.isEffect(result) || isPromiseLike(result)) {
      let decided = false
      let resolved: unknown
      const pending = Effect.isEffect(result) ? result : Effect.tryPromise(() => {
        // What it resolves to once the timeout won is dropped, its fd closed (this runs before the fiber sees the value).
        result.then((value) => (decided ? isVerdict(value) && discard(value) : (resolved = value)), () => {})
        return Promise.resolve(result)
      })
      const left = Math.max(0, timeoutMs - (yield* elapsedMs))
      const outcome = yield* pending.pipe(Effect.timeoutOption(left), Effect.catchCause(() => Effect.succeedNone))
      decided = true
      if (Option.isNone(outcome) && isVerdict(resolved)) discard(resolved)
      answered = Option.getOrUndefined(outcome)
    }
    if (!isVerdict(answered)) return undefined
    if ((yield* elapsedMs) > timeoutMs) {
      discard(answered)
      return undefined
    }
    return answered
  })

/** The control channel's number in the child, where the program's handshake read waits. */
const controlFd = 3n

const isHandshake = (raw: RawNotification, launcher: Supervision["launcher"]): boolean =>
  raw.syscall === launcher.readSyscall &&
  raw.args[0] === controlFd &&
  raw.args[2] === BigInt(launcher.readSize) &&
  raw.instructionPointer >= launcher.code.start &&
  raw.instructionPointer < launcher.code.end &&
  // Last: under an init it reads the target's /proc status.
  launcher.isProgram(raw.pid)

/**
 * Whether the child program's handshake read surely reaches the
 * listener: `read` notified whatever its arguments. With conditional read
 * rules it may not, and then it cannot be told from a target's read: the
 * session leaves every read to the handlers (a handler that denies the
 * launcher's read fails the spawn, never opens a hole).
 */
const handshakeNotified = (policy: Policy): boolean => {
  const { action, conditional } = effectiveAction(policy, "read")
  return action.kind === "notify" && conditional.length === 0
}

/**
 * Serves `listener` on `loop` for one child until every process using its
 * filter is gone (POLLHUP). Takes ownership of the fd.
 *
 * @example
 * ```ts
 * import { listenerLoop } from "./loop.ts"
 * import type { ListenerSystem } from "./system.ts"
 *
 * declare const system: ListenerSystem
 * declare const listener: number
 * declare const supervision: Supervision
 * supervise(system, listenerLoop(system), listener, supervision)
 * ```
 */
export const supervise = (system: ListenerSystem, loop: ListenerLoop, listener: number, supervision: Supervision): void => {
  let open = true
  const response = new Uint8Array(notifRespSize)
  const respond = (id: bigint, answer: Response): void => {
    // A late answer after the listener closed must not reach whatever fd now has its number.
    if (!open) return
    encodeResponse(response, id, answer)
    // -ENOENT: the child went away or its call was interrupted (it comes back with a new id); nothing to do.
    system.send(listener, response)
  }
  /** ADDFD with SEND: the fd becomes the call's result; a refusal other than "gone" (EMFILE, ...) fails the call. */
  const inject = (id: bigint, verdict: Extract<Verdict, { readonly kind: "fd" }>): void => {
    const result = open ? system.calls.addFd(listener, id, verdict.fd, verdict.closeOnExec) : -ENOENT
    system.close(verdict.fd)
    if (result < 0 && result !== -ENOENT) respond(id, { kind: "fail", errno: -result })
  }
  /**
   * SIGKILL to the caller of a call still pending. Blocked in it, the caller keeps its pid only until a fatal signal
   * from elsewhere (a sibling's SIGKILL) ends the wait; once reaped, its number may be any new process's. A pidfd
   * opened now refers to the caller if the call is still pending after the open: it was the caller's all along.
   */
  const killCaller = (raw: RawNotification): void => {
    const pidfd = system.pidfdOpen(raw.pid)
    if (pidfd < 0) return
    if (open && system.idValid(listener, raw.id) === 0) system.pidfdSignal(pidfd, SIGKILL)
    system.close(pidfd)
  }
  const discard = (verdict: Verdict): void => {
    if (verdict.kind === "fd") system.close(verdict.fd)
  }
  // Only a read the filter surely notifies can be the launcher's: otherwise its read ran (it got the byte we sent), and a
  // later read of the handshake's size from that pid is the target's own, for its handler.
  let handshakePending = handshakeNotified(supervision.policy)
  const onNotification = (raw: RawNotification): void => {
    const { launcher } = supervision
    if (handshakePending && isHandshake(raw, launcher)) {
      // The child program waits for us: tell it "one byte read" without running the read (never CONTINUE: no hole).
      handshakePending = false
      return respond(raw.id, { kind: "return", value: 1n })
    }
    const name = supervision.nameOf(raw.arch, raw.syscall)
    const rule = matchRule(supervision.policy, name, raw.args)
    const handler = supervision.handlerFor(rule)
    const denied: Response = { kind: "fail", errno: supervision.errno }
    const notification: Notification = { ...raw, name, rule }
    // fds a handler's resolvePath opened: closed once the call is answered, so none outlives it.
    const held: Array<number> = []
    let finished = false
    const pending = (): boolean => !finished && open && system.idValid(listener, raw.id) === 0
    const finish = (answer: () => void): void => {
      finished = true
      answer()
      for (const fd of held.splice(0)) system.close(fd)
    }
    attachMemory(notification, {
      read: (address, length) => system.readMemory(raw.pid, address, length),
      // A closed listener's fd number may belong to something else by now: never ask it.
      pending
    })
    attachFiles(notification, {
      calls: system.calls,
      fdTarget: system.fdTarget,
      pending,
      hold: (fd) => {
        if (!finished) return held.push(fd) > 0
        system.close(fd)
        return false
      }
    })
    try {
      supervision.observe?.(notification)
    } catch {
      // An observer's failure must not leave the call unanswered.
    }
    if (handler === undefined) return finish(() => respond(raw.id, denied))
    Effect.runFork(Effect.map(decide(handler, notification, supervision.timeoutMs, discard), (verdict) =>
      finish(() => {
        if (verdict?.kind === "kill") {
          supervision.onKill(notification)
          // The child and its group (through its pidfd: its number may be someone else's by now), and the caller, which
          // may be a grandchild elsewhere.
          supervision.stopChild()
          killCaller(raw)
          return respond(raw.id, denied)
        }
        if (verdict?.kind === "fd") return inject(raw.id, verdict)
        respond(raw.id, verdict === undefined ? denied : toResponse(verdict))
      })))
  }
  loop.add(listener, { onNotification, onClosed: () => (open = false) })
}
