/**
 * Linux namespaces by name, with their clone/unshare flags: the fence steps
 * and `kakoi doctor` name them the same way.
 */
import { cloneFlags } from "./host/x86_64.ts"

/**
 * A namespace a child can get its own copy of.
 *
 * @example
 * ```ts
 * import type { Namespace } from "./fence-namespaces.ts"
 *
 * const namespace: Namespace = "network"
 * ```
 */
export type Namespace = "user" | "pid" | "mount" | "network" | "uts" | "ipc" | "cgroup"

const flagOf: Readonly<Record<Namespace, number>> = {
  user: cloneFlags.CLONE_NEWUSER,
  pid: cloneFlags.CLONE_NEWPID,
  mount: cloneFlags.CLONE_NEWNS,
  network: cloneFlags.CLONE_NEWNET,
  uts: cloneFlags.CLONE_NEWUTS,
  ipc: cloneFlags.CLONE_NEWIPC,
  cgroup: cloneFlags.CLONE_NEWCGROUP
}

/**
 * The unshare(2) flags for a set of namespaces, as one 64-bit value.
 *
 * @example
 * ```ts
 * import { namespaceFlags } from "./fence-namespaces.ts"
 *
 * namespaceFlags(["user", "uts"]) // 0x14000000n
 * ```
 */
export const namespaceFlags = (namespaces: Iterable<Namespace>): bigint => {
  let flags = 0n
  for (const namespace of namespaces) flags |= BigInt(flagOf[namespace])
  return flags
}
