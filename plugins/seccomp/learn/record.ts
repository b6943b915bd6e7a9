/**
 * What learn mode saw: each syscall the command and its children made, how
 * often, and by which processes. Every call is let through (observe only).
 * The launcher's own calls between the filter install and its execve are left
 * out: they are kakoi's, not the command's, and the learned policy covers them
 * with `launcherSyscalls`. Telling them apart needs no pid: the filter is on
 * the launcher's thread alone until it execs (no TSYNC, no fork), so every
 * notification before the first `execve` is the launcher's.
 */
import { readFileSync } from "node:fs"
import { answer, type Notification, type NotifyHandler } from "../notify/handler.ts"

/**
 * A process that made a syscall: its pid (a thread's own id for threads) and
 * its name from /proc/PID/comm after its last exec; undefined when it could not
 * be read (on Deno without --allow-read, kakoi does not ask).
 *
 * @example
 * ```ts
 * const ls: LearnedProcess = { pid: 4242, command: "ls" }
 * ```
 */
export interface LearnedProcess {
  readonly pid: number
  readonly command: string | undefined
}

/**
 * One syscall learn mode saw.
 *
 * @example
 * ```ts
 * const seen: LearnedSyscall = { name: "openat", syscall: 257, count: 12, processes: [{ pid: 4242, command: "ls" }] }
 * ```
 */
export interface LearnedSyscall {
  readonly name: string
  /** The number on the native architecture. */
  readonly syscall: number
  readonly count: number
  readonly processes: ReadonlyArray<LearnedProcess>
}

/**
 * A handler that records and allows, and what it recorded so far.
 *
 * @example
 * ```ts
 * import { recorder, type Recorder } from "./record.ts"
 *
 * const record: Recorder = recorder()
 * record.syscalls() // []: nothing seen yet
 * ```
 */
export interface Recorder {
  readonly handler: NotifyHandler
  /** The syscalls seen, most frequent first (then by name). */
  readonly syscalls: () => ReadonlyArray<LearnedSyscall>
}

interface DenoPermissions {
  readonly permissions: { readonly querySync: (descriptor: { readonly name: "read"; readonly path: string }) => { readonly state: string } }
}

// Deno would prompt on a terminal for a read it was not granted; the names are a nicety, never worth a prompt.
const mayReadProc = (): boolean => {
  const deno = (globalThis as { readonly Deno?: DenoPermissions }).Deno
  try {
    return deno === undefined || deno.permissions.querySync({ name: "read", path: "/proc" }).state === "granted"
  } catch {
    return false
  }
}

/** The process's comm, read while it waits in the notified call (so it still exists); undefined if unreadable. */
const processName = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim()
  } catch {
    return undefined
  }
}

// The launcher itself always uses execve; the command's processes may use either.
const execs = new Set(["execve", "execveat"])

/**
 * A recorder for one learn run.
 *
 * @example
 * ```ts
 * import { seccomp } from "kakoi/seccomp"
 * import { recorder } from "./record.ts"
 *
 * const record = recorder()
 * seccomp({ default: "notify" }, { notify: { handler: record.handler } })
 * // ... run the command, then:
 * record.syscalls() // [{ name: "read", syscall: 0, count: 9, processes: [...] }, ...]
 * ```
 */
export const recorder = (): Recorder => {
  const readNames = mayReadProc()
  let launched = false
  const seen = new Map<string, { readonly syscall: number; count: number; readonly pids: Set<number> }>()
  const commands = new Map<number, string | undefined>()
  // Pids whose comm changes at their pending exec: read it again at their next call.
  const execing = new Set<number>()
  const note = (call: Notification): void => {
    if (readNames && (!commands.has(call.pid) || execing.has(call.pid))) commands.set(call.pid, processName(call.pid))
    if (execs.has(call.name)) execing.add(call.pid)
    else execing.delete(call.pid)
    const entry = seen.get(call.name) ?? { syscall: call.syscall, count: 0, pids: new Set<number>() }
    entry.count++
    entry.pids.add(call.pid)
    seen.set(call.name, entry)
  }
  return {
    handler: (call) => {
      launched ||= call.name === "execve"
      if (launched) note(call)
      return answer.allow()
    },
    syscalls: () =>
      [...seen]
        .map(([name, { syscall, count, pids }]) => ({
          name,
          syscall,
          count,
          processes: [...pids].map((pid) => ({ pid, command: commands.get(pid) }))
        }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
  }
}
