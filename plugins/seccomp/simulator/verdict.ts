/**
 * A filter's 32-bit return value as an action, the way the kernel reads it
 * (kernel/seccomp.c): the action in SECCOMP_RET_ACTION_FULL, the data in
 * SECCOMP_RET_DATA, errno data capped at MAX_ERRNO, and any action value the
 * kernel does not know treated as kill-process.
 */
import type { Action } from "../model.ts"

/** SECCOMP_RET_* action values (linux/seccomp.h); the same numbers libseccomp's SCMP_ACT_* carry. */
const ret = {
  killProcess: 0x80000000,
  killThread: 0x00000000,
  trap: 0x00030000,
  errno: 0x00050000,
  notify: 0x7fc00000,
  trace: 0x7ff00000,
  log: 0x7ffc0000,
  allow: 0x7fff0000
} as const
const maxErrno = 4095

/**
 * The action a filter's return value asks of the kernel, and the 16 data bits
 * (the errno, the trace message, or the SIGSYS si_errno of a trap).
 *
 * @example
 * ```ts
 * import { decodeReturn, type FilterVerdict } from "kakoi/seccomp"
 *
 * const verdict: FilterVerdict = decodeReturn(0x00050001) // { action: { kind: "errno", errno: 1 }, data: 1, value: 0x50001 }
 * ```
 */
export interface FilterVerdict {
  readonly action: Action
  readonly data: number
  /** The raw return value. */
  readonly value: number
}

/**
 * Reads a filter's return value as the kernel does.
 *
 * @example
 * ```ts
 * import { decodeReturn } from "kakoi/seccomp"
 *
 * decodeReturn(0x7fff0000).action // { kind: "allow" }
 * decodeReturn(0x00051234).action // { kind: "errno", errno: 4095 }: the kernel caps errno at MAX_ERRNO
 * ```
 */
export const decodeReturn = (value: number): FilterVerdict => {
  const unsigned = value >>> 0
  const data = unsigned & 0xffff
  const full = (unsigned & 0xffff0000) >>> 0
  const action = ((): Action => {
    switch (full) {
      case ret.allow: return { kind: "allow" }
      case ret.log: return { kind: "log" }
      case ret.trace: return { kind: "trace", value: data }
      case ret.notify: return { kind: "notify" }
      case ret.errno: return { kind: "errno", errno: Math.min(data, maxErrno) }
      case ret.trap: return { kind: "trap" }
      case ret.killThread: return { kind: "kill-thread" }
      default: return { kind: "kill" } // SECCOMP_RET_KILL_PROCESS, and every value the kernel does not know
    }
  })()
  return { action, data, value: unsigned }
}
