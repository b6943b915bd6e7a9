/**
 * The control channel between the launcher and a child it clones: the child's
 * end is the fd its program reports on (a failure record, an init's records,
 * the notify handshake), the launcher's end is where it reads them.
 *
 * A child cloned with CLONE_VFORK has exec'd or exited by the time clone
 * returns: all it ever reports is in the channel by then, and nothing more can
 * come (its copies of the child's end close at execve or at its exit). So such
 * children share one channel, made once and read right after each clone until
 * it is empty; a pair per child cost a socketpair, a dup and two closes
 * (0.02-0.03 ms of every spawn, measured on Bun and Deno). Any other child (a
 * pid namespace's init, a notify handshake) talks to the launcher for longer
 * and ends its reports with end of file: it gets a pair of its own.
 */
import type { PreExecStep } from "../steps.ts"
import type { FdTools } from "./stdio.ts"

/**
 * One child's control channel.
 *
 * @example
 * ```ts
 * import type { Channel } from "./channel.ts"
 *
 * const own: Channel = { mine: 7, theirs: 12, shared: false }
 * ```
 */
export interface Channel {
  /** The launcher's end (non-blocking when shared). */
  readonly mine: number
  /** The child's end, numbered >= 10 (its program dups it onto 3). */
  readonly theirs: number
  /** The one channel of CLONE_VFORK children: never closed; read until empty, never to end of file. */
  readonly shared: boolean
}

/**
 * Whether a program of these steps is cloned with CLONE_VFORK (no pid
 * namespace init, no notify listener to hand over): the guess that picks
 * its channel before it is compiled. The launcher checks the compiled
 * program's `mayVfork` and gives a child guessed wrong the other channel.
 *
 * @example
 * ```ts
 * import { likelyVfork } from "./channel.ts"
 *
 * likelyVfork([{ kind: "setsid" }]) // true
 * likelyVfork([{ kind: "pid-namespace" }]) // false
 * ```
 */
export const likelyVfork = (steps: ReadonlyArray<PreExecStep>): boolean =>
  steps.every((step) => step.kind !== "pid-namespace" && !(step.kind === "seccomp" && step.listener === true))

/**
 * The channels of one launcher: `take(true)` is the shared one (made on first
 * use), `take(false)` a new pair; `close` closes a pair of its own (the shared
 * one stays).
 *
 * @example
 * ```ts
 * import { controlChannels } from "./channel.ts"
 *
 * declare const tools: import("./stdio.ts").FdTools
 * const channels = controlChannels(tools)
 * const channel = channels.take(false)
 * channels.close(channel)
 * ```
 */
export const controlChannels = (tools: FdTools): { readonly take: (shared: boolean) => Channel; readonly close: (channel: Channel) => void } => {
  const pair = (shared: boolean): Channel => {
    const [mine, child] = tools.socketpair()
    let theirs: number
    try {
      theirs = tools.high(child)
    } catch (error) {
      tools.close(mine)
      throw error
    }
    return { mine, theirs, shared }
  }
  let shared: Channel | undefined
  return {
    take: (share) => {
      if (!share) return pair(false)
      if (shared === undefined) {
        const made = pair(true)
        tools.nonBlocking(made.mine)
        shared = made
      }
      return shared
    },
    close: (channel) => {
      if (channel.shared) return
      tools.close(channel.mine)
      tools.close(channel.theirs)
    }
  }
}
