/**
 * Containment: how far a child's descendants can get from it. Every child of
 * `run`, `spawn` and a supervision tree is contained at "namespaces" unless
 * its options or one of its plugins (`containment()`, `sandbox()`) choose
 * another level; a weaker level is only ever chosen explicitly, and a level
 * the host cannot give fails the spawn with a typed error. The levels are
 * implemented by the sandbox plugins (plugins/sandbox/containment.ts); the
 * host hands the core the plugin for a level.
 */
import { Effect } from "effect"
import { SpawnError } from "./errors.ts"
import type { Plugin } from "./plugin.ts"
import { commandText } from "./spec.ts"

/**
 * A containment level, strongest first: "namespaces" (a pid namespace with an
 * init, and a Landlock domain), "cgroup" (a cgroup per child, ended with
 * cgroup.kill), "process-group" (a process group and a parent-death signal:
 * descendants that leave the group escape).
 *
 * @example
 * ```ts
 * import type { ContainmentLevel } from "./containment.ts"
 *
 * const level: ContainmentLevel = "process-group"
 * ```
 */
export type ContainmentLevel = "namespaces" | "cgroup" | "process-group"

/**
 * Every level, strongest first.
 *
 * @example
 * ```ts
 * import { containmentLevels } from "./containment.ts"
 *
 * containmentLevels[0] // "namespaces"
 * ```
 */
export const containmentLevels: ReadonlyArray<ContainmentLevel> = ["namespaces", "cgroup", "process-group"]

/**
 * The level a child gets when nothing chooses one.
 *
 * @example
 * ```ts
 * import { defaultContainment } from "./containment.ts"
 *
 * defaultContainment // "namespaces"
 * ```
 */
export const defaultContainment: ContainmentLevel = "namespaces"

/**
 * The plugins a child starts with: the host's plugin for its containment
 * level (the option's, else the default) unless one of its own plugins
 * decides the level, then its own. Both an option and such a plugin is a
 * conflict, refused before anything starts.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { withContainment } from "./containment.ts"
 *
 * declare const plugin: (level: import("./containment.ts").ContainmentLevel) => import("./plugin.ts").Plugin
 * const plugins = Effect.runSync(withContainment(plugin, ["true"], { containment: "process-group" }, []))
 * plugins.length // 1
 * ```
 */
export const withContainment = <E, R, X>(
  plugin: (level: ContainmentLevel) => Plugin<X, never>,
  argv: ReadonlyArray<string>,
  options: { readonly containment?: ContainmentLevel },
  plugins: ReadonlyArray<Plugin<E, R>>
): Effect.Effect<ReadonlyArray<Plugin<E | X, R>>, SpawnError> => {
  const decider = plugins.find((candidate) => candidate.decidesContainment === true)
  if (decider !== undefined && options.containment !== undefined) {
    return Effect.fail(new SpawnError({
      reason: "InvalidSpec",
      command: commandText(argv),
      detail: `containment is chosen twice: by the option (${JSON.stringify(options.containment)}) and by the ${decider.name} plugin; keep one`
    }))
  }
  if (decider !== undefined) return Effect.succeed(plugins)
  return Effect.succeed([plugin(options.containment ?? defaultContainment), ...plugins])
}
