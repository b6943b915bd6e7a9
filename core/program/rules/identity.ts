/**
 * Compile rules of the identity steps, in the order core/steps.ts fixes:
 * the bounding set (PR_CAPBSET_DROP needs CAP_SETPCAP), the supplementary
 * groups, gid before uid (after a non-zero uid CAP_SETGID is gone), then the
 * capability sets a uid-0 child would still hold; capabilities kept for a
 * child that is not uid 0 survive its uid change (PR_SET_KEEPCAPS) and its
 * execve (the ambient set).
 */
import type { PreExecStep } from "../../steps.ts"
import { ProgramError } from "../errors.ts"
import { Mode } from "../format.ts"
import type { RuleContext, RuleOp } from "./context.ts"

/**
 * A step these rules compile.
 *
 * @example
 * ```ts
 * const step: IdentityStep = { kind: "ids", uid: 65534, gid: 65534 }
 * ```
 */
export type IdentityStep = Extract<PreExecStep, { kind: "drop-bounding" | "groups" | "ids" | "clear-capabilities" }>

/** The kernel's highest id is 2^32 - 2: (uid_t)-1 means "unchanged" to setres*id. */
const maxId = 0xfffffffe
/** capset's v3 data covers capabilities 0..63. */
const maxCapability = 63
/** NGROUPS_MAX */
const maxGroups = 65536

/**
 * The ops of one identity step.
 *
 * @example
 * ```ts
 * import type { RuleContext } from "./context.ts"
 *
 * declare const context: RuleContext
 * identityOps(context, { kind: "ids", uid: 65534, gid: 65534 }).length // 2: setresgid, setresuid
 * ```
 */
export const identityOps = (context: RuleContext, step: IdentityStep): ReadonlyArray<RuleOp> => {
  const { table: { syscalls: sys, constants: c, structs }, layout, at } = context
  const id = (value: number, field: string): number => {
    if (!Number.isInteger(value) || value < 0 || value > maxId) throw new ProgramError({ reason: "BadValue", subject: `${at}.${field}`, detail: `got ${value}` })
    return value
  }
  const capabilities = (values: ReadonlyArray<number>, field: string): ReadonlyArray<number> => {
    values.forEach((value, index) => {
      if (!Number.isInteger(value) || value < 0 || value > maxCapability) throw new ProgramError({ reason: "BadValue", subject: `${at}.${field}[${index}]`, detail: `got ${value}` })
    })
    return values
  }
  switch (step.kind) {
    case "drop-bounding": {
      const keep = capabilities(step.keep, "keep")
      const last = capabilities([step.lastCap], "lastCap")[0] ?? 0
      return Array.from({ length: last + 1 }, (_, cap) => cap).filter((cap) => !keep.includes(cap)).map((cap) => ({
        nr: sys.prctl, mode: Mode.check, args: [c.PR_CAPBSET_DROP, cap, 0, 0, 0], stage: "drop-bounding", subject: `capability ${cap}`
      }))
    }
    case "groups": {
      if (step.groups.length > maxGroups) throw new ProgramError({ reason: "BadValue", subject: `${at}.groups`, detail: `at most ${maxGroups}` })
      const list = new Uint8Array(Math.max(4, 4 * step.groups.length))
      const view = new DataView(list.buffer)
      step.groups.forEach((group, index) => view.setUint32(4 * index, id(group, `groups[${index}]`), true))
      return [{ nr: sys.setgroups, mode: Mode.check, args: [step.groups.length, layout.bytes(list)], stage: "groups", subject: step.groups.join(",") || "no groups" }]
    }
    case "ids": {
      const uid = id(step.uid, "uid")
      const gid = id(step.gid, "gid")
      return [
        ...(step.keepCapabilities === true ? [{ nr: sys.prctl, mode: Mode.check, args: [c.PR_SET_KEEPCAPS, 1, 0, 0, 0], stage: "ids", subject: "keep capabilities" }] : []),
        { nr: sys.setresgid, mode: Mode.check, args: [gid, gid, gid], stage: "ids", subject: `gid ${gid}` },
        { nr: sys.setresuid, mode: Mode.check, args: [uid, uid, uid], stage: "ids", subject: `uid ${uid}` }
      ]
    }
    case "clear-capabilities": {
      const header = new Uint8Array(structs.capUserHeader.size)
      new DataView(header.buffer).setUint32(structs.capUserHeader.version, c.LINUX_CAPABILITY_VERSION_3, true)
      const data = new Uint8Array(structs.capUserData.size)
      const view = new DataView(data.buffer)
      const keep = capabilities(step.keep, "keep")
      const ambient = step.ambient === true
      const fields = [structs.capUserData.effective, structs.capUserData.permitted, ...(ambient ? [structs.capUserData.inheritable] : [])]
      for (const cap of keep) {
        const base = cap < 32 ? 0 : structs.capUserData.entrySize
        const bit = 1 << (cap % 32)
        for (const field of fields) view.setUint32(base + field, (view.getUint32(base + field, true) | bit) >>> 0, true)
      }
      return [
        { nr: sys.prctl, mode: Mode.check, args: [c.PR_CAP_AMBIENT, c.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0], stage: "clear-capabilities", subject: "ambient set" },
        { nr: sys.capset, mode: Mode.check, args: [layout.bytes(header), layout.bytes(data)], stage: "clear-capabilities", subject: "capabilities" },
        // Raising needs the capability permitted and inheritable, which capset has just made it.
        ...(ambient ? keep.map((cap) => ({ nr: sys.prctl, mode: Mode.check, args: [c.PR_CAP_AMBIENT, c.PR_CAP_AMBIENT_RAISE, cap, 0, 0], stage: "clear-capabilities", subject: `ambient capability ${cap}` })) : [])
      ]
    }
    default:
      return step satisfies never
  }
}
