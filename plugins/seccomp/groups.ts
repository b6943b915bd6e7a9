/**
 * systemd's syscall groups where a syscall name goes: `"@mount"` stands for
 * every call of the group, nested groups included. A syscall name never
 * starts with `@`, so a group cannot be mistaken for a call. The membership
 * is in groups-table.ts.
 */
import { groupTable } from "./groups-table.ts"

/**
 * Every group name, with its `@`.
 *
 * @example
 * ```ts
 * import { groupNames } from "kakoi/seccomp"
 *
 * groupNames.includes("@system-service") // true
 * ```
 */
export const groupNames: ReadonlyArray<string> = Object.keys(groupTable)

const expanded = new Map<string, ReadonlyArray<string>>()

/**
 * The syscalls of a group, nested groups expanded, each once, in table order;
 * undefined for an unknown group. Names for other architectures are included:
 * compile skips what libseccomp does not know.
 *
 * @example
 * ```ts
 * import { groupMembers } from "kakoi/seccomp"
 *
 * groupMembers("@swap") // ["swapoff", "swapon"]
 * groupMembers("@privileged")?.includes("chown") // true (through @chown)
 * ```
 */
export const groupMembers = (name: string): ReadonlyArray<string> | undefined => {
  if (!Object.hasOwn(groupTable, name)) return undefined
  const cached = expanded.get(name)
  if (cached !== undefined) return cached
  const names = new Set<string>()
  const visit = (group: string): void => {
    for (const member of groupTable[group] ?? []) {
      if (member.startsWith("@")) visit(member)
      else names.add(member)
    }
  }
  visit(name)
  const result = [...names]
  expanded.set(name, result)
  return result
}
