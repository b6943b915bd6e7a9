/**
 * The seccomp plugin's `launched` hook for policies that notify: fetch the
 * child's listener, serve it on the process's one receive loop, then let the
 * child exec. Any failure fails the spawn (the lifecycle kills the child):
 * a notify policy never runs unsupervised.
 */
import { Effect, Option } from "effect"
import { errno } from "../../../core/arch/generic.ts"
import { errnoValue, type ErrnoName } from "../../../core/errno.ts"
import type { LaunchingChild } from "../../../core/plugin.ts"
import { SeccompLibrary, type SeccompLibraryShape } from "../library.ts"
import type { Policy } from "../model.ts"
import { attachedHandler } from "./attached.ts"
import { NotifyError } from "./errors.ts"
import { provideHandler, type Notification, type NotifyHandler } from "./handler.ts"
import { fetchListener } from "./handshake.ts"
import { listenerLoop } from "./loop.ts"
import { supervise } from "./session.ts"
import { ListenerSystemService } from "./system.ts"

/**
 * How notified syscalls are answered.
 *
 * @example
 * ```ts
 * import { answer, type NotifyOptions } from "kakoi/seccomp"
 *
 * const options: NotifyOptions = { handler: () => answer.fail("EACCES"), timeoutMs: 2000 }
 * ```
 */
export interface NotifyOptions<R = never> {
  /** Answers notify rules that name no handler, and the notify default action. */
  readonly handler?: NotifyHandler<R>
  /** How long a handler may take before the call is denied (default 5000 ms). */
  readonly timeoutMs?: number
  /** The errno a call fails with when its handler throws, is late, or is missing (default EPERM). */
  readonly errno?: ErrnoName | number
  /** How long the child may take to hand over its listener (default 10000 ms). */
  readonly handshakeTimeoutMs?: number
  /**
   * Told of every notified call (pid, syscall, args, rule) as it arrives, before
   * its handler answers: for watching, not deciding (what it throws is ignored).
   * `notificationFeed()` turns it into a Stream.
   */
  readonly onNotification?: (notification: Notification) => void
}

const defaultTimeoutMs = 5000
const defaultHandshakeMs = 10_000
const { EPERM } = errno

/**
 * Syscall names by (arch, number), resolved through libseccomp once each;
 * the number as text when libseccomp knows no name.
 *
 * @example
 * ```ts
 * import type { SeccompLibraryShape } from "kakoi/seccomp"
 *
 * declare const library: SeccompLibraryShape
 * const nameOf = nameCache(library)
 * nameOf(0xc000003e, 83) // "mkdir"
 * ```
 */
export const nameCache = (library: SeccompLibraryShape): ((arch: number, syscall: number) => string) => {
  const names = new Map<string, string>()
  return (arch, syscall) => {
    const key = `${arch}:${syscall}`
    let name = names.get(key)
    if (name === undefined) names.set(key, (name = library.syscallResolveNum(arch, syscall) ?? String(syscall)))
    return name
  }
}

/**
 * The handler for a rule: the rule's `handler` key looked up in `handlers`
 * (JSON policies) or among the DSL's inline handlers; else `fallback`.
 */
const handlerLookup = <R>(policy: Policy, handlers: Readonly<Record<string, NotifyHandler<R>>>, fallback: NotifyHandler<R> | undefined) =>
  (rule: number | undefined): NotifyHandler<R> | undefined => {
    const key = rule === undefined ? undefined : policy.rules[rule]?.handler
    if (key === undefined) return fallback
    return (Object.hasOwn(handlers, key) ? handlers[key] : undefined) ?? attachedHandler(policy, key) ?? fallback
  }

/**
 * Supervise a launching child's notify listener under `policy`.
 *
 * @example
 * ```ts
 * import { answer, policy } from "kakoi/seccomp"
 * import type { LaunchingChild } from "../../../core/plugin.ts"
 *
 * declare const child: LaunchingChild
 * const denyMkdir = policy((rule) => rule.notify("mkdir"), { default: "allow" })
 * const supervised = superviseChild(child, denyMkdir, {}, { handler: () => answer.fail("EACCES"), timeoutMs: 1000 })
 * ```
 */
export const superviseChild = <R = never>(
  child: LaunchingChild,
  policy: Policy,
  handlers: Readonly<Record<string, NotifyHandler<R>>>,
  options: NotifyOptions<R>,
  onKill: (notification: Notification) => void = () => {}
): Effect.Effect<void, NotifyError, SeccompLibrary | R> =>
  Effect.gen(function*() {
    const found = yield* Effect.serviceOption(ListenerSystemService)
    if (Option.isNone(found)) return yield* new NotifyError({ reason: "Unsupported", subject: "this runtime" })
    const system = found.value
    const library = yield* SeccompLibrary
    const listener = yield* fetchListener(system, child, options.handshakeTimeoutMs ?? defaultHandshakeMs)
    const errno = errnoValue(options.errno ?? "EPERM") ?? EPERM
    // The handlers run with the services of the run that launches this child (the caller's runEffect/superviseEffect).
    const context = yield* Effect.context<R>()
    const handlerOf = handlerLookup(policy, handlers, options.handler)
    supervise(system, listenerLoop(system), listener, {
      policy,
      handlerFor: (rule) => {
        const handler = handlerOf(rule)
        return handler === undefined ? undefined : provideHandler(handler, context)
      },
      nameOf: nameCache(library),
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      errno,
      launcher: { pid: child.pid, isProgram: child.isProgram, readSyscall: library.syscallResolveName(library.archNative(), "read"), ...child.handshake },
      onKill,
      stopChild: child.stop,
      observe: options.onNotification
    })
    child.send(Uint8Array.of(1))
  })
