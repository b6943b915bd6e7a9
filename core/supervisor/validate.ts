/** Checks a supervision tree before anything starts, so a typo fails with a message instead of a crash loop. */
import { Effect } from "effect"
import { SupervisorError } from "./errors.ts"
import { isSupervisorSpec, type SupervisorSpec } from "./spec.ts"

const strategies = ["one-for-one", "one-for-all", "rest-for-one"]
const restarts = ["permanent", "transient", "temporary"]

const problem = <E, R>(spec: SupervisorSpec<E, R>, path: string): string | undefined => {
  if (spec.strategy !== undefined && !strategies.includes(spec.strategy)) {
    return `unknown strategy "${spec.strategy}": use one of ${strategies.join(", ")}`
  }
  const { maxRestarts = 0, withinMs = 1 } = spec.intensity ?? {}
  if (!(maxRestarts >= 0) || !(withinMs > 0)) return "intensity needs maxRestarts >= 0 and withinMs > 0"
  const names = new Set<string>()
  for (const [index, child] of spec.children.entries()) {
    const where = `children[${index}]`
    if (typeof child.name !== "string" || child.name === "" || child.name.includes("/")) {
      return `${where}: a child needs a name without "/"`
    }
    if (names.has(child.name)) return `${where}: the name "${child.name}" is used twice in "${path}"`
    names.add(child.name)
    if (child.restart !== undefined && !restarts.includes(child.restart)) {
      return `${where} "${child.name}": unknown restart "${child.restart}": use one of ${restarts.join(", ")}`
    }
    if (isSupervisorSpec(child)) {
      const nested = problem(child, `${path}/${child.name}`)
      if (nested !== undefined) return `${where} "${child.name}": ${nested}`
    } else if (!Array.isArray(child.argv) || child.argv.length === 0 || child.argv[0] === "") {
      return `${where} "${child.name}": the command (argv) is empty`
    }
  }
  return undefined
}

/**
 * Fails with a SupervisorError of reason "InvalidSpec" naming the first mistake.
 *
 * @example
 * ```ts
 * import { validateTree } from "./validate.ts"
 *
 * validateTree({ name: "app", children: [{ name: "a", argv: [] }] })
 * // fails: 'Invalid supervision tree "app": children[0] "a": the command (argv) is empty'
 * ```
 */
export const validateTree = <E, R>(spec: SupervisorSpec<E, R>): Effect.Effect<void, SupervisorError> => {
  const detail = typeof spec.name === "string" && spec.name !== "" && !spec.name.includes("/")
    ? problem(spec, spec.name)
    : 'the supervisor needs a name without "/"'
  return detail === undefined
    ? Effect.void
    : Effect.fail(new SupervisorError({ reason: "InvalidSpec", supervisor: String(spec.name), child: "", detail, lastExits: [] }))
}
