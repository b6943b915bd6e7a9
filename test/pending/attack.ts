/** Helpers of the pending attacks: a Python one-liner per attack, and clean-up of what escaped. */
import { alive, waitUntil } from "../helpers/processes.ts"

/** argv that runs a Python snippet (ctypes reaches the raw syscalls an attacker would use). */
export const python = (code: string): ReadonlyArray<string> => ["/usr/bin/python3", "-c", code]

/** The Python prelude: libc with errno, and the syscall numbers the attacks use. */
export const prelude = "import ctypes, os, sys, time\nlibc = ctypes.CDLL(None, use_errno=True)\n"

/** Whether every pid is gone within `ms`; kills the survivors (with SIGKILL) either way, so no test leaves them behind. */
export const goneWithin = async (pids: ReadonlyArray<number>, ms: number): Promise<boolean> => {
  const gone = await waitUntil(() => pids.every((pid) => !alive(pid)), ms)
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL")
  return gone
}
