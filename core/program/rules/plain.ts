/**
 * Compile rules of the plain steps (core/steps.ts): rlimit, chdir, umask,
 * setsid, no-new-privs, one syscall each.
 */
import type { ArchTable } from "../../arch/mod.ts"
import type { PreExecStep, RlimitValue } from "../../steps.ts"
import { ProgramError } from "../errors.ts"
import { Mode } from "../format.ts"
import { refuseNul, type RuleContext, type RuleOp } from "./context.ts"

/**
 * A step these rules compile.
 *
 * @example
 * ```ts
 * const step: PlainStep = { kind: "chdir", path: "/srv" }
 * ```
 */
export type PlainStep = Extract<PreExecStep, { kind: "rlimit" | "chdir" | "umask" | "setsid" | "no-new-privs" }>

const rlimitValue = (table: ArchTable, value: RlimitValue, subject: string): bigint => {
  if (value === "unlimited") return table.constants.RLIM_INFINITY
  if (value < 0n || value > table.constants.RLIM_INFINITY) throw new ProgramError({ reason: "BadValue", subject, detail: `got ${value}` })
  return value
}

/**
 * The ops of one plain step.
 *
 * @example
 * ```ts
 * import type { RuleContext } from "./context.ts"
 *
 * declare const context: RuleContext
 * plainOps(context, { kind: "setsid" }).length // 1
 * ```
 */
export const plainOps = (context: RuleContext, step: PlainStep): ReadonlyArray<RuleOp> => {
  const { table, layout, at } = context
  const { syscalls: sys, constants: c, structs } = table
  switch (step.kind) {
    case "rlimit": {
      const limit = new Uint8Array(structs.rlimit.size)
      const view = new DataView(limit.buffer)
      view.setBigUint64(structs.rlimit.cur, rlimitValue(table, step.soft, `${at}.soft`), true)
      view.setBigUint64(structs.rlimit.max, rlimitValue(table, step.hard, `${at}.hard`), true)
      return [{ nr: sys.prlimit64, mode: Mode.check, args: [0, table.rlimitResource[step.resource], layout.bytes(limit), 0], stage: "rlimit", subject: step.resource }]
    }
    case "chdir":
      return [{ nr: sys.chdir, mode: Mode.check, args: [layout.string(refuseNul(step.path, `${at}.path`))], stage: "chdir", subject: step.path }]
    case "umask":
      if (!Number.isInteger(step.mask) || step.mask < 0 || step.mask > 0o777) throw new ProgramError({ reason: "BadValue", subject: `${at}.mask`, detail: `got ${step.mask}` })
      return [{ nr: sys.umask, mode: Mode.ignore, args: [step.mask], stage: "umask", subject: step.mask.toString(8) }]
    case "setsid":
      return [{ nr: sys.setsid, mode: Mode.check, args: [], stage: "setsid", subject: "new session" }]
    case "no-new-privs":
      return [{ nr: sys.prctl, mode: Mode.check, args: [c.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0], stage: "no-new-privs", subject: "PR_SET_NO_NEW_PRIVS" }]
    default:
      return step satisfies never
  }
}
