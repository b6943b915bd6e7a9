/**
 * The parent's side of a child that is a pid namespace's init (a program with
 * `init`): its exit is the target's wait status that the init reports on the
 * control channel (an init cannot die of its target's signal, and its own
 * status says nothing), the handshake read of a notify listener comes from the
 * init's one child (the target, whose pid the supervisor never saw), and a
 * clone refused for the namespace flags is a launch failure the fence plugins
 * can explain, not a crash of the launcher.
 */
import { constants } from "../arch/generic.ts"
import type { Libc } from "../libc.ts"
import type { LaunchFailure } from "../program/mod.ts"
import type { ProcessStatus } from "../runtime.ts"
import { signalName } from "../signals.ts"
import { readProcFile } from "./proc-file.ts"

/**
 * A wait status as waitpid(2) gives it (the init's `targetStatus` record), as exit data.
 *
 * @example
 * ```ts
 * import { statusFromWait } from "./contained.ts"
 *
 * statusFromWait(3 << 8) // { exitCode: 3, signal: undefined }
 * statusFromWait(15) // { exitCode: undefined, signal: "SIGTERM" }
 * ```
 */
export const statusFromWait = (status: number): ProcessStatus => {
  const signal = status & 0x7f
  return signal === 0 ? { exitCode: (status >> 8) & 0xff, signal: undefined } : { exitCode: undefined, signal: signalName(signal) }
}

/**
 * The failure of a clone that asked for namespaces (`ChildProgram.cloneFlags`):
 * stage "user-namespace" when CLONE_NEWUSER was among them, else
 * "pid-namespace", which `explainFenceFailure` turns into the typed error that
 * names what the host refuses. Undefined for a clone without namespace flags
 * (that failure is the launcher's own).
 *
 * @example
 * ```ts
 * import { cloneRefused } from "./contained.ts"
 *
 * cloneRefused(0x30000000, 1)?.stage // "user-namespace"
 * ```
 */
export const cloneRefused = (cloneFlags: number, errno: number): LaunchFailure | undefined => {
  if (cloneFlags === 0) return undefined
  const user = (cloneFlags & constants.CLONE_NEWUSER) !== 0
  return { stage: user ? "user-namespace" : "pid-namespace", errno, subject: `clone(${user ? "CLONE_NEWUSER | " : ""}CLONE_NEWPID)` }
}

/** The number one line of /proc/<pid>/status captures, or undefined when it cannot be read. */
const statusNumber = (libc: Libc, pid: number, line: RegExp): number | undefined => {
  const match = readProcFile(libc, `/proc/${pid}/status`)?.match(line) ?? null
  return match === null ? undefined : Number(match[1])
}

/** The PPid: line of /proc/<pid>/status. */
const parentOf = (libc: Libc, pid: number): number | undefined => statusNumber(libc, pid, /^PPid:\s+(\d+)$/m)

/**
 * Who may make the child program's handshake read: the cloned child itself,
 * or, under an init, the init's child (the target, blocked in that read, so
 * its pid cannot be reused while we look).
 *
 * @example
 * ```ts
 * import { programPid } from "./contained.ts"
 *
 * declare const libc: Parameters<typeof programPid>[0]
 * const isProgram = programPid(libc, 4242, true)
 * ```
 */
export const programPid = (libc: Libc, childPid: number, init: boolean): ((pid: number) => boolean) =>
  init ? (pid) => pid > 0 && pid !== childPid && parentOf(libc, pid) === childPid : (pid) => pid === childPid

/** The last number of the NSpid: line of /proc/<pid>/status: the pid inside the innermost pid namespace. */
const innerPidOf = (libc: Libc, pid: number): number | undefined => statusNumber(libc, pid, /^NSpid:.*\s(\d+)$/m)

/**
 * The target of an init, by its pid outside the namespace: the init's child
 * that is pid 2 inside (the init's first and only fork; orphans reparented
 * to the init have other numbers there). The init does not reap the target
 * before the supervisor has read this, so the target is always among its
 * children: a lone child is the target, with no status file to read.
 * Undefined when /proc cannot tell.
 *
 * @example
 * ```ts
 * import { targetOf } from "./contained.ts"
 *
 * declare const libc: Parameters<typeof targetOf>[0]
 * const target = targetOf(libc, 4242) // e.g. 4243
 * ```
 */
export const targetOf = (libc: Libc, initPid: number): number | undefined => {
  const children = readProcFile(libc, `/proc/${initPid}/task/${initPid}/children`)
  if (children === undefined) return undefined
  const pids = children.split(" ").filter(Boolean).map(Number)
  return pids.length === 1 ? pids[0] : pids.find((pid) => innerPidOf(libc, pid) === 2)
}
