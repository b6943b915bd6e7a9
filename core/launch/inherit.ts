/**
 * What a target inherits from the supervisor, as its users expect: not what
 * the runtime did to itself at startup.
 *
 * - Resource limits: every runtime raises RLIMIT_NOFILE's soft limit to the
 *   hard one, and the original soft limit is gone by then. When soft equals
 *   hard, kakoi takes the parent process's soft limit from
 *   /proc/<ppid>/limits if the parent has the same hard limit and a lower
 *   soft one (a shell's `ulimit -Sn`: it passed its limits on, the runtime
 *   raised ours), else min(hard, 1024), the soft limit systemd gives
 *   services. A parent whose soft limit is its hard one tells nothing: we may
 *   have inherited that, or been started lower (`prlimit --nofile=1024:20000`,
 *   a shell that lowered it and exec'd the runtime), and a target is never
 *   given more than it was likely meant to have. The child program sets it
 *   back before any plugin step, so `rlimit({ nofile })` still wins.
 *   RLIMIT_CORE's soft limit is at most 1 byte: until its execve the child
 *   shares the supervisor's memory (CLONE_VM), and a child killed before it
 *   (a strict allowlist that kills the failure report of a command not
 *   found, a notify handler that denies exit_group) would dump that memory,
 *   secrets and all, where the child runs. The kernel writes no core file
 *   under a page and, for a core_pattern pipe, takes 1 as "no core" (its
 *   own helpers run with it). `rlimit({ core })` wins here too, with that risk.
 * - Signals: the child resets every signal to SIG_DFL (handled ones must be
 *   reset before its mask is cleared, since it shares the parent's memory
 *   until execve) except those that were ignored when kakoi first launched
 *   and that the runtime does not ignore for itself: `nohup` keeps SIGHUP
 *   ignored. Resetting all of them in the child (a few µs of syscalls) costs
 *   less than asking which ones need it in the parent (62 FFI calls or a
 *   /proc read: 0.05-0.2 ms, measured).
 *   Node resets every disposition at startup (except SIGPIPE and SIGXFSZ), so
 *   under Node a signal the parent ignored is lost before any JavaScript runs.
 */
import { archTable } from "../arch/mod.ts"
import { constants, rlimitResource, signals, structs } from "../arch/generic.ts"
import type { Libc } from "../libc.ts"
import { signalNumber } from "../signals.ts"
import type { PreExecStep } from "../steps.ts"
import { readProcFile } from "./proc-file.ts"

const { SIGKILL, SIGSTOP } = signals
const SIG_IGN = BigInt(constants.SIG_IGN)
const systemdSoftLimit = 1024n

/** The soft "Max open files" of a /proc/<pid>/limits text, and its hard one; undefined where unlimited or missing. */
const openFilesLimits = (text: string): { readonly soft: bigint; readonly hard: bigint } | undefined => {
  const match = /^Max open files\s+(\d+)\s+(\d+)/m.exec(text)
  return match?.[1] === undefined || match[2] === undefined ? undefined : { soft: BigInt(match[1]), hard: BigInt(match[2]) }
}

/**
 * The rlimit steps that give a target the supervisor's RLIMIT_NOFILE as its
 * parent gave it (none when the runtime left the soft limit below the hard
 * one) and RLIMIT_CORE's soft limit at most 1 byte.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * inheritedLimits(libc) // [{ kind: "rlimit", resource: "nofile", soft: 1024n, hard: 20000n }] under `ulimit -Sn 1024 -Hn 20000`
 * ```
 */
export const inheritedLimits = (libc: Libc): ReadonlyArray<PreExecStep> => [...openFilesStep(libc), ...coreStep(libc)]

/** This process's soft and hard limit of `resource`, or undefined if it cannot be read. */
const limitOf = (libc: Libc, resource: number): { readonly soft: bigint; readonly hard: bigint } | undefined => {
  const limits = new Uint8Array(16)
  if (Number(libc.call.getrlimit(resource, limits)) !== 0) return undefined
  const view = new DataView(limits.buffer)
  return { soft: view.getBigUint64(0, true), hard: view.getBigUint64(8, true) }
}

const openFilesStep = (libc: Libc): ReadonlyArray<PreExecStep> => {
  const own = limitOf(libc, rlimitResource.nofile)
  if (own === undefined || own.soft !== own.hard) return []
  const { hard } = own
  const parent = openFilesLimits(readProcFile(libc, `/proc/${Number(libc.call.getppid())}/limits`) ?? "")
  const original = parent !== undefined && parent.hard === hard && parent.soft < hard ? parent.soft : systemdSoftLimit
  return original < hard ? [{ kind: "rlimit", resource: "nofile", soft: original, hard }] : []
}

/** The most core a child may dump: 1 byte is none (see the module's doc). */
const noCore = 1n

const coreStep = (libc: Libc): ReadonlyArray<PreExecStep> => {
  const own = limitOf(libc, rlimitResource.core)
  return own === undefined || own.soft <= noCore ? [] : [{ kind: "rlimit", resource: "core", soft: noCore, hard: own.hard }]
}

const disposition = (libc: Libc, signal: number): bigint => {
  const old = new Uint8Array(new ArrayBuffer(structs.kernelSigaction.size))
  const result = Number(libc.call.syscall(archTable().syscalls.rt_sigaction, signal, 0, libc.address(old), constants.SIGSET_SIZE, 0))
  return result < 0 ? 0n : new DataView(old.buffer).getBigUint64(0, true)
}

/**
 * Sets each of `signals` to SIG_IGN in this process: the signals this
 * process's starter ignored, which the runtime set back to the default (Node
 * does, for all but SIGPIPE and SIGXFSZ) and which `signalsToDefault`, called
 * afterwards, then keeps ignored for the targets.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * ignoreSignals(libc, [1]) // SIGHUP ignored, as under nohup
 * ```
 */
export const ignoreSignals = (libc: Libc, signals: ReadonlyArray<number>): void => {
  const ignore = new Uint8Array(new ArrayBuffer(structs.kernelSigaction.size))
  new DataView(ignore.buffer).setBigUint64(structs.kernelSigaction.handler, SIG_IGN, true)
  for (const signal of signals) {
    const result = Number(libc.call.syscall(archTable().syscalls.rt_sigaction, signal, libc.address(ignore), 0, constants.SIGSET_SIZE, 0))
    if (result < 0) throw new Error(`rt_sigaction(${signal}, SIG_IGN) failed with errno ${libc.errno()}`)
  }
}

// Frozen: the program cache keeps it as it is and knows it again at once.
const catchable: ReadonlyArray<number> = Object.freeze(Array.from({ length: constants.SIGRTMAX }, (_, index) => index + 1).filter((signal) => signal !== SIGKILL && signal !== SIGSTOP))

/**
 * The signals a child must reset to SIG_DFL, computed from the dispositions
 * at the time of the call (call it when kakoi loads): all but those ignored
 * now that `runtimeIgnores` does not list. Re-checked per spawn: a signal the
 * program has since stopped ignoring is reset too.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * const toDefault = signalsToDefault(libc, ["SIGPIPE", "SIGXFSZ"])
 * toDefault() // every catchable signal but SIGHUP, under nohup
 * ```
 */
export const signalsToDefault = (libc: Libc, runtimeIgnores: ReadonlyArray<number | "SIGPIPE" | "SIGXFSZ">): (() => ReadonlyArray<number>) => {
  const own = new Set(runtimeIgnores.map((signal) => (typeof signal === "number" ? signal : signalNumber(signal))))
  const keep = catchable.filter((signal) => !own.has(signal) && disposition(libc, signal) === SIG_IGN)
  if (keep.length === 0) return () => catchable
  return () => {
    const still = new Set(keep.filter((signal) => disposition(libc, signal) === SIG_IGN))
    return catchable.filter((signal) => !still.has(signal))
  }
}
