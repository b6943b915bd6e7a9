/**
 * What every fence plugin shares: options decoded strictly when the plugin is
 * made, a `plan` that turns them into fence steps for one child against the
 * running host (and prepares what the supervisor holds for it: a Landlock
 * ruleset fd, a cgroup), and a spawn hook that fails closed. Until the
 * native launcher runs fence steps, that hook fails every spawn with a typed
 * `LauncherMissing` error: a sandbox that silently did nothing would be the
 * worst outcome. Wiring, once the launcher lands: preExec returns
 * `plan(host).steps` and `exit` calls `release`.
 */
import { Effect, Result } from "effect"
import type { FenceStep } from "../../core/fence-steps.ts"
import type { Kernel } from "../../core/host/kernel.ts"
import { readText } from "../../core/host/kernel.ts"
import { type Fence, FenceError } from "./errors.ts"

/**
 * The host facts and the Kernel port a plan needs.
 *
 * @example
 * ```ts
 * import type { FenceHost } from "./plugin.ts"
 *
 * declare const kernel: FenceHost["kernel"]
 * const host: FenceHost = { kernel, euid: 1000, egid: 1000, lastCap: 40, readFile: () => undefined }
 * ```
 */
export interface FenceHost {
  readonly kernel: Kernel
  readonly euid: number
  readonly egid: number
  /** /proc/sys/kernel/cap_last_cap: the highest capability number this kernel knows. */
  readonly lastCap: number
  readonly readFile: (path: string) => string | undefined
}

/**
 * One child's share of a fence: its steps, and what to release in the
 * supervisor when the child has ended.
 *
 * @example
 * ```ts
 * import type { FencePlan } from "./plugin.ts"
 *
 * const plan: FencePlan = { steps: [{ kind: "hostname", name: "box" }], release: () => {} }
 * ```
 */
export interface FencePlan {
  readonly steps: ReadonlyArray<FenceStep>
  readonly release: () => void
}

/**
 * A fence plugin: a kakoi Plugin plus its plan. Its hooks read nothing of the
 * spec and need no service, so it fits any run's `Plugin<E, R>` (the spec
 * parameter is `unknown`: a plugin that ignores the spec is usable with every
 * set of services).
 *
 * @example
 * ```ts
 * import type { FencePlugin } from "./plugin.ts"
 *
 * declare const fence: FencePlugin
 * fence.name // "landlock"
 * ```
 */
export interface FencePlugin {
  readonly name: string
  readonly fence: Fence
  readonly spawn: (spec: unknown) => Effect.Effect<never, FenceError>
  readonly plan: (host: FenceHost) => Result.Result<FencePlan, FenceError>
}

/**
 * The facts of the running host, read through the Kernel port.
 *
 * @example
 * ```ts
 * import { systemFenceHost } from "./plugin.ts"
 * import type { Kernel } from "../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * systemFenceHost(kernel).lastCap // 40 on Linux 6.18
 * ```
 */
export const systemFenceHost = (kernel: Kernel): FenceHost => {
  const readFile = (path: string): string | undefined => {
    const text = readText(kernel, path)
    return typeof text === "string" ? text : undefined
  }
  const status = readFile("/proc/self/status") ?? ""
  const ids = (name: string): number => Number(status.match(new RegExp(`^${name}:\\s+\\d+\\s+(\\d+)`, "m"))?.[1] ?? Number.NaN)
  return { kernel, euid: ids("Uid"), egid: ids("Gid"), lastCap: Number(readFile("/proc/sys/kernel/cap_last_cap") ?? Number.NaN), readFile }
}

/**
 * A plan with no steps and nothing to release.
 *
 * @example
 * ```ts
 * import { emptyPlan } from "./plugin.ts"
 *
 * emptyPlan.steps // []
 * ```
 */
export const emptyPlan: FencePlan = { steps: [], release: () => {} }

/**
 * Builds a fence plugin from decoded options (or their error) and a planner.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { fencePlugin } from "./plugin.ts"
 *
 * const hostname = fencePlugin("uts", "sandbox", Result.succeed("box"), (name) => Result.succeed({ steps: [{ kind: "hostname", name }], release: () => {} }))
 * ```
 */
export const fencePlugin = <Options>(
  name: string,
  fence: Fence,
  options: Result.Result<Options, FenceError>,
  plan: (options: Options, host: FenceHost) => Result.Result<FencePlan, FenceError>
): FencePlugin => ({
  name,
  fence,
  plan: (host) => (Result.isFailure(options) ? Result.fail(options.failure) : plan(options.success, host)),
  spawn: () =>
    Effect.fail<FenceError>(
      Result.isFailure(options)
        ? options.failure
        : new FenceError({ reason: "LauncherMissing", fence, path: name, detail: "its steps run in the child between clone and execve", hint: "leave this plugin out until kakoi ships the native launcher; nothing was started" })
    )
})
