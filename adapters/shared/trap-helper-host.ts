/**
 * Starts the in-process traps helper (adapters/shared/trap-helper.ts) with
 * node:child_process, which Node, Deno and Bun all provide; each adapter
 * supplies the argv that runs a script in its runtime.
 */
import { fileURLToPath } from "node:url"
import { siblingModule } from "../../core/sibling.ts"
import type { StartTrapHelper, TrapHelper } from "../../plugins/seccomp/notify/in-process.ts"

const helperUrl = siblingModule("trap-helper", import.meta.url)

/** The helper program's path for the adapters' argv (its URL when kakoi is imported remotely, e.g. from JSR under Deno). */
export const trapHelperPath: string = helperUrl.startsWith("file:") ? fileURLToPath(helperUrl) : helperUrl

/**
 * A `StartTrapHelper` that runs `argv(parentPid, errno)`; its stdout is the report pipe.
 *
 * @example
 * ```ts
 * const start = trapHelperStarter((parent, errno) => [process.execPath, trapHelperPath, "node", String(parent), String(errno)])
 * ```
 */
export const trapHelperStarter = (argv: (parentPid: number, errno: number) => ReadonlyArray<string>): StartTrapHelper => (parentPid, errno) => {
  const [command = "", ...args] = argv(parentPid, errno)
  // Loaded here, not imported: node:child_process is 5 ms of `kakoi run`'s start-up, which needs no helper.
  const child = process.getBuiltinModule("node:child_process").spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] })
  const lines: Array<string> = []
  let partial = ""
  let ended = false
  let waiter: (() => void) | undefined
  let receiver: ((line: string) => void) | undefined
  const wake = (): void => {
    const resolve = waiter
    waiter = undefined
    resolve?.()
  }
  child.stdout?.setEncoding("utf8")
  child.stdout?.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n")
    partial = parts.pop() ?? ""
    for (const line of parts) {
      if (receiver === undefined) lines.push(line)
      else receiver(line)
    }
    wake()
  })
  const end = (): void => {
    ended = true
    wake()
  }
  let startError: string | undefined
  child.stdout?.on("end", end)
  child.on("error", (error) => {
    startError ??= error.message
    end()
  })
  child.on("exit", end)
  const nextLine = async (timeoutMs: number): Promise<string | undefined> => {
    const deadline = Date.now() + timeoutMs
    while (lines.length === 0 && !ended && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await new Promise<void>((resolve) => {
        waiter = resolve
        timer = setTimeout(resolve, deadline - Date.now())
      })
      clearTimeout(timer)
    }
    return lines.shift()
  }
  const helper: TrapHelper = {
    pid: child.pid ?? -1,
    nextLine,
    onLines: (receive) => {
      receiver = receive
      for (const line of lines.splice(0)) receive(line)
    },
    kill: () => void child.kill("SIGKILL"),
    startError: () => startError,
    unref: () => {
      child.unref()
      // The pipe's handle would keep the event loop alive too (Node; the others may not expose it).
      ;(child.stdout as { unref?: () => void } | null)?.unref?.()
    }
  }
  return helper
}
