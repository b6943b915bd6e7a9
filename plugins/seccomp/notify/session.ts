/**
 * One child's listener: answers each notification with the handler of the
 * rule that matched, fail closed (a handler that throws, answers late, or is
 * missing denies the call), and recognises the child program's handshake
 * read so it never reaches a handler.
 */
import { Effect } from "effect"
import type { Policy } from "../model.ts"
import type { Notification, NotifyHandler, Verdict } from "./handler.ts"
import type { ListenerLoop } from "./loop.ts"
import { matchRule } from "./match.ts"
import { attachMemory } from "./memory.ts"
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
  /** Told of every notification (not the handshake read) before it is answered: observers, never deciders. */
  readonly observe?: ((notification: Notification) => void) | undefined
}

const SIGKILL = 9
const verdictKinds = new Set(["allow", "fail", "return", "kill"])

const toResponse = (verdict: Exclude<Verdict, { readonly kind: "kill" }>): Response =>
  verdict.kind === "allow" ? { kind: "continue" } : verdict.kind === "fail" ? { kind: "fail", errno: verdict.errno } : verdict

/**
 * The handler's verdict, or undefined if it threw, failed, returned nonsense or
 * took longer than `timeoutMs`. An Effect answer runs here, under the same
 * timeout as a Promise, and is interrupted when it passes (so a late Effect
 * handler stops instead of running on unobserved).
 */
const decide = async (handler: NotifyHandler, notification: Notification, timeoutMs: number): Promise<Verdict | undefined> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const interrupt = new AbortController()
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)))
  const answered = Promise.resolve().then(() => {
    const result = handler(notification)
    return Effect.isEffect(result) ? Effect.runPromise(result as Effect.Effect<Verdict, unknown>, { signal: interrupt.signal }) : result
  })
  try {
    const verdict = await Promise.race([answered, late])
    return verdict !== undefined && verdictKinds.has(verdict.kind) ? verdict : undefined
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
    interrupt.abort()
    // Once decided, a later rejection (an Effect interrupted above, a late throw) has nobody to tell.
    answered.catch(() => {})
  }
}

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
 * Serves `listener` on `loop` for one child until every process using its
 * filter is gone (POLLHUP). Takes ownership of the fd.
 */
export const supervise = (system: ListenerSystem, loop: ListenerLoop, listener: number, supervision: Supervision): void => {
  let open = true
  let handshakePending = true
  const response = new Uint8Array(notifRespSize)
  const respond = (id: bigint, answer: Response): void => {
    // A late answer after the listener closed must not reach whatever fd now has its number.
    if (!open) return
    encodeResponse(response, id, answer)
    // -ENOENT: the child went away or its call was interrupted (it comes back with a new id); nothing to do.
    system.send(listener, response)
  }
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
    attachMemory(notification, {
      read: (address, length) => system.readMemory(raw.pid, address, length),
      // A closed listener's fd number may belong to something else by now: never ask it.
      pending: () => open && system.idValid(listener, raw.id) === 0
    })
    try {
      supervision.observe?.(notification)
    } catch {
      // An observer's failure must not leave the call unanswered.
    }
    if (handler === undefined) return respond(raw.id, denied)
    void decide(handler, notification, supervision.timeoutMs).then((verdict) => {
      if (verdict?.kind === "kill") {
        supervision.onKill(notification)
        // The whole group when the target leads one (ESRCH otherwise), and the caller, which may be a grandchild elsewhere.
        system.kill(-launcher.pid, SIGKILL)
        system.kill(launcher.pid, SIGKILL)
        system.kill(raw.pid, SIGKILL)
        return respond(raw.id, denied)
      }
      respond(raw.id, verdict === undefined ? denied : toResponse(verdict))
    })
  }
  loop.add(listener, { onNotification, onClosed: () => (open = false) })
}
