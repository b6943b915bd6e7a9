/**
 * A burst of concurrent spawns of every kind of end, each with its own
 * expected outcome: an exit code, a signal, a failed exec (ENOENT, EACCES), a
 * failed preExec step, an execve killed by the child's policy. Used by the
 * shared control channel suite on the main thread and in worker threads at
 * once: every child's report must reach its own spawn and no other.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { policy, seccomp } from "../../plugins/seccomp/mod.ts"

/** What one spawn of the burst gave, next to what it should have given. */
export interface Outcome {
  readonly expected: string
  readonly got: string
}

// Killed at execve by a condition that always holds, so the policy's compile does not see a blocked execve.
const killExec = seccomp(policy({ default: "allow", rules: [{ action: "kill-process", syscalls: ["execve"], args: [{ index: 1, op: "!=", value: 0n }] }] }))

type Run = (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>

/**
 * Runs `count` spawns of mixed kinds at once and returns each one's outcome: contained by a process group (the
 * CLONE_VFORK path and its shared channel) or by namespaces (an init per child, with a channel of its own).
 */
export const mixedSpawns = async (run: Run, count: number, tag: string, containment: "process-group" | "namespaces" = "process-group"): Promise<ReadonlyArray<Outcome>> => {
  const dir = mkdtempSync(join(tmpdir(), "kakoi-mixed-"))
  const noExec = join(dir, "not-executable")
  writeFileSync(noExec, "#!/bin/sh\necho ran\n")
  chmodSync(noExec, 0o644)
  const options: RunOptions<any, any> = { env: { PATH: "/usr/bin:/bin" }, containment }
  const failed = (error: unknown): string => {
    const { reason, message } = error as { readonly reason?: unknown; readonly message?: unknown }
    return `${String(reason)}: ${String(message)}`
  }
  const one = async (index: number): Promise<Outcome> => {
    const missing = `kakoi-no-such-${tag}-${index}`
    switch (index % 6) {
      case 0: {
        // In its own pid namespace a target sees itself by another number: only the exit code is its own there.
        const result = await run(["sh", "-c", `echo $$; exit ${index % 100}`], options)
        const own = containment === "namespaces" ? ["", ""] : [` pid ${result.pid}`, ` pid ${result.stdout.trim()}`]
        return { expected: `exit ${index % 100}${own[0]}`, got: `exit ${String(result.exitCode)}${own[1]}` }
      }
      case 1:
        return run([missing], options).then(
          () => ({ expected: `CommandNotFound ${missing}`, got: "ran" }),
          (error: unknown) => ({ expected: `CommandNotFound: Command not found: ${missing}`, got: failed(error) })
        )
      case 2:
        return run([noExec, `${index}`], options).then(
          () => ({ expected: "PermissionDenied", got: "ran" }),
          (error: unknown) => ({ expected: `PermissionDenied ${index}`, got: `${String((error as { readonly reason?: unknown }).reason)} ${failed(error).includes(`${noExec} ${index}`) ? index : failed(error)}` })
        )
      case 3:
        return run(["true", `${index}`], { ...options, cwd: join(dir, `gone-${index}`) }).then(
          () => ({ expected: "PreExecFailed", got: "ran" }),
          (error: unknown) => ({ expected: `PreExecFailed gone-${index}`, got: `${String((error as { readonly reason?: unknown }).reason)} ${failed(error).includes(`gone-${index}"`) ? `gone-${index}` : failed(error)}` })
        )
      case 4: {
        const result = await run(["true"], { ...options, plugins: [killExec] })
        const { diagnosis } = result
        return { expected: "SIGSYS seccomp execve", got: `${String(result.signal)} ${diagnosis?.cause === "seccomp" ? `seccomp ${diagnosis.syscalls.join(",")}` : String(diagnosis?.cause)}` }
      }
      default: {
        const result = await run(["sh", "-c", "kill -9 $$"], options)
        return { expected: "SIGKILL undefined", got: `${String(result.signal)} ${String(result.exitCode)}` }
      }
    }
  }
  return Promise.all(Array.from({ length: count }, (_, index) => one(index)))
}
