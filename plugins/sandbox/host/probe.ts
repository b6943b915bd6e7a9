/**
 * The HostProbe port: the few questions `kakoi doctor` asks the host, as
 * functions, so the verdicts (host/capabilities.ts) are pure and tests can
 * answer "no" to any of them. `systemProbe` answers them on the running
 * machine: files through the Kernel port, namespace attempts through a
 * throwaway `unshare(1)` (the only reliable test: sysctls, LSMs and an outer
 * container's seccomp profile can each say no, and only trying shows it).
 */
import { spawnSync } from "node:child_process"
import { accessPath, type Kernel, memory, readText } from "../../../core/host/kernel.ts"
import { constants, structs } from "../../../core/arch/generic.ts"
import { landlockAbi } from "../landlock/ruleset.ts"

/**
 * The outcome of running a probe command: its exit status and what it said,
 * or undefined when the command does not exist.
 *
 * @example
 * ```ts
 * import type { Attempt } from "./probe.ts"
 *
 * const refused: Attempt = { status: 1, stderr: "unshare: unshare failed: Operation not permitted" }
 * ```
 */
export type Attempt = { readonly status: number; readonly stderr: string } | undefined

/**
 * What the capability checks ask.
 *
 * @example
 * ```ts
 * import type { HostProbe } from "./probe.ts"
 *
 * const fake: HostProbe = {
 *   readFile: () => undefined,
 *   writable: () => false,
 *   landlockAbi: () => -38,
 *   ioUringSetup: () => -1,
 *   attempt: () => undefined
 * }
 * ```
 */
export interface HostProbe {
  /** A file's text, or undefined when it is absent or unreadable. */
  readonly readFile: (path: string) => string | undefined
  /** Whether the supervisor may write `path` (access(2) W_OK). */
  readonly writable: (path: string) => boolean
  /** landlock_create_ruleset(NULL, 0, VERSION): the ABI, or -errno. */
  readonly landlockAbi: () => number
  /** io_uring_setup(1, params) then close: 0, or -errno. */
  readonly ioUringSetup: () => number
  /** Run a command to its end with no input. */
  readonly attempt: (argv: ReadonlyArray<string>) => Attempt
}

const probeTimeoutMs = 5000

/**
 * Runs a command synchronously; undefined when it is not installed.
 *
 * @example
 * ```ts
 * import { runAttempt } from "./probe.ts"
 *
 * runAttempt(["unshare", "--user", "true"]) // { status: 0, stderr: "" } where user namespaces are allowed
 * ```
 */
export const runAttempt = (argv: ReadonlyArray<string>): Attempt => {
  const [command = "", ...args] = argv
  const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"], timeout: probeTimeoutMs, encoding: "utf8" })
  if ((result.error as { readonly code?: string } | undefined)?.code === "ENOENT") return undefined
  return { status: result.status ?? 128, stderr: (result.stderr ?? "").trim() }
}

/**
 * The probe of the running host, over one runtime's Kernel port.
 *
 * @example
 * ```ts
 * import { systemProbe } from "./probe.ts"
 * import type { Kernel } from "../../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * systemProbe(kernel).landlockAbi() // 7 here
 * ```
 */
export const systemProbe = (kernel: Kernel, attempt: HostProbe["attempt"] = runAttempt): HostProbe => ({
  readFile: (path) => {
    const text = readText(kernel, path)
    return typeof text === "string" ? text : undefined
  },
  writable: (path) => accessPath(kernel, path, constants.W_OK) === 0,
  landlockAbi: () => landlockAbi(kernel),
  ioUringSetup: () => {
    const params = memory(structs.ioUringParams.size)
    const fd = Number(kernel.syscall("io_uring_setup", 1, params))
    if (fd < 0) return fd
    kernel.syscall("close", fd)
    return 0
  },
  attempt
})
