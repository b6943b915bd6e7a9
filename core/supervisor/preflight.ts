/**
 * Before a tree starts anything: every worker's plugins run their spawn hook
 * on the worker's spec (the seccomp plugin compiles its policy there, the
 * rlimit plugin checks its limits), so an unknown syscall in the last
 * worker's policy fails the tree before the first worker runs, not after.
 */
import { Effect } from "effect"
import { makeSpec } from "../spec.ts"
import { isSupervisorSpec, type ChildSpec, type SupervisorSpec, type WorkerSpec } from "./spec.ts"

const workers = <E, R>(children: ReadonlyArray<ChildSpec<E, R>>): ReadonlyArray<WorkerSpec<E, R>> =>
  children.flatMap((child) => (isSupervisorSpec(child) ? workers(child.children) : [child]))

/**
 * Run every worker's plugins' spawn hooks once; fails with the first plugin's
 * own error. The result of the hooks is not kept: each start runs them again
 * (compiled policies are cached). The environment is the worker's own or
 * none, so checking reads nothing of the supervisor's.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { rlimit } from "../../plugins/rlimit/mod.ts"
 * import { checkPlugins } from "./preflight.ts"
 *
 * Effect.runSync(Effect.flip(checkPlugins({ name: "app", children: [{ name: "w", argv: ["true"], plugins: [rlimit({ nofle: 1 } as never)] }] })))
 * // RlimitError: Unknown resource limit "nofle": did you mean "nofile"?
 * ```
 */
export const checkPlugins = <E, R>(tree: SupervisorSpec<E, R>): Effect.Effect<void, E, R> =>
  Effect.forEach(workers(tree.children), (worker) => {
    const spec = makeSpec(worker.argv, worker, { env: () => ({}), stdio: ["ignore", "pipe", "pipe"] })
    return Effect.forEach(spec.plugins, (plugin) => (plugin.spawn ? Effect.asVoid(plugin.spawn(spec)) : Effect.void), { discard: true })
  }, { discard: true })
