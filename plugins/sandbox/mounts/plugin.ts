/**
 * The mounts() plugin: a mount namespace per child with a read-only host (or
 * an empty root with chosen binds), writable binds, private tmpfs, hidden
 * paths, a fresh /proc and a minimal /dev. See plan.ts for the steps.
 */
import { fencePlugin, type FencePlugin } from "../plugin.ts"
import { decodeMounts, type MountsOptions } from "./options.ts"
import { planMounts } from "./plan.ts"

/**
 * A mount namespace per child, as described by `options`; `home` expands `~`.
 *
 * @example
 * ```ts
 * import { mounts } from "./plugin.ts"
 *
 * const fence = mounts({ writable: ["/tmp/job-42"], tmpfs: ["/tmp"], hide: ["/root/.ssh"], dev: "minimal" })
 * ```
 */
export const mounts = (options: MountsOptions, home?: string): FencePlugin =>
  fencePlugin("mounts", "mounts", decodeMounts(options, home), planMounts)
