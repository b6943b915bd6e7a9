/**
 * Composes the fence steps of several plugins for one child: one unshare for
 * every namespace asked for (nesting a user namespace per plugin would leave
 * the later maps unwritable), a user namespace and a self id-map added when
 * the supervisor is not root and any namespace is asked for (only a user
 * namespace makes the others possible without privilege), then the phase
 * order of core/fence-steps.ts. The launcher's compiler calls this once per
 * spawn over every plugin's fence steps.
 */
import type { Namespace } from "./fence-namespaces.ts"
import { type FenceStep, orderFenceSteps } from "./fence-steps.ts"

/**
 * The steps to run, or why they cannot go together.
 *
 * @example
 * ```ts
 * import { composeFenceSteps } from "./fence-compose.ts"
 *
 * composeFenceSteps([{ kind: "unshare", namespaces: ["network"] }, { kind: "unshare", namespaces: ["uts"] }], { euid: 1000, egid: 1000 })
 * // [{ kind: "unshare", namespaces: ["user", "network", "uts"] }, { kind: "id-map", writer: "self", uid: [{ inside: 1000, outside: 1000, count: 1 }], ... }]
 * ```
 */
export const composeFenceSteps = (
  steps: ReadonlyArray<FenceStep>,
  ids: { readonly euid: number; readonly egid: number }
): ReadonlyArray<FenceStep> | string => {
  const namespaces = new Set<Namespace>()
  for (const step of steps) if (step.kind === "unshare") for (const namespace of step.namespaces) namespaces.add(namespace)
  const maps = steps.filter((step) => step.kind === "id-map")
  const [map, ...others] = maps
  if (others.some((other) => JSON.stringify(other) !== JSON.stringify(map))) return "two plugins map the child's ids differently: give one identity"
  const needUser = namespaces.size > 0 && (ids.euid !== 0 || map !== undefined)
  if (map !== undefined && !namespaces.has("user") && !needUser) return "an id-map needs a user namespace"
  const rest = steps.filter((step) => step.kind !== "unshare" && step.kind !== "id-map")
  if (namespaces.size === 0) return orderFenceSteps(rest)
  const union: ReadonlyArray<Namespace> = needUser ? ["user", ...[...namespaces].filter((namespace) => namespace !== "user")] : [...namespaces]
  const self = (id: number) => [{ inside: id, outside: id, count: 1 }]
  const mapping: ReadonlyArray<FenceStep> = map !== undefined
    ? [map]
    : union.includes("user") ? [{ kind: "id-map", writer: "self", uid: self(ids.euid), gid: self(ids.egid) }] : []
  return orderFenceSteps([{ kind: "unshare", namespaces: union }, ...mapping, ...rest])
}
