/**
 * Compile rules of the steps that use a supervisor fd (passed through the fd
 * phase, closed after its last use): a Landlock domain, made from a ruleset
 * the supervisor built (plugins/sandbox/landlock) or, for scopes alone, from
 * one the child makes itself; and joining a cgroup whose cgroup.procs the
 * supervisor opened.
 */
import type { ArchTable } from "../../arch/mod.ts"
import type { LandlockScope, PreExecStep } from "../../steps.ts"
import { ProgramError } from "../errors.ts"
import { Mode } from "../format.ts"
import { closePassed, type RuleContext, type RuleOp } from "./context.ts"

/**
 * A step these rules compile.
 *
 * @example
 * ```ts
 * const step: PassedFdStep = { kind: "landlock", scopes: ["signal"] }
 * ```
 */
export type PassedFdStep = Extract<PreExecStep, { kind: "landlock" | "join-cgroup" }>

const scopeBits = (table: ArchTable, scopes: ReadonlyArray<LandlockScope>): number =>
  scopes.reduce((bits, scope) => bits | (scope === "signal" ? table.constants.LANDLOCK_SCOPE_SIGNAL : table.constants.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET), 0)

const joinText = new TextEncoder().encode("0")

/**
 * The ops of one such step.
 *
 * @example
 * ```ts
 * import type { RuleContext } from "./context.ts"
 *
 * declare const context: RuleContext
 * passedFdOps(context, { kind: "landlock", scopes: ["signal"] }).length // 3: create, restrict, close
 * ```
 */
export const passedFdOps = (context: RuleContext, step: PassedFdStep): ReadonlyArray<RuleOp> => {
  const { table, layout, at, scratchFd } = context
  const { syscalls: sys, structs } = table
  switch (step.kind) {
    case "join-cgroup": {
      const { fd } = context.passed(step.procsFd)
      return [
        // "0" is the writer itself; the kernel checks the rights of whoever opened the file.
        { nr: sys.write, mode: Mode.expect, args: [fd, layout.bytes(joinText), joinText.byteLength], expected: joinText.byteLength, stage: "join-cgroup", subject: step.path },
        ...closePassed(context, step.procsFd, "join-cgroup", step.path)
      ]
    }
    case "landlock": {
      if (step.rulesetFd !== undefined) {
        const { fd } = context.passed(step.rulesetFd)
        return [
          { nr: sys.landlock_restrict_self, mode: Mode.check, args: [fd, 0], stage: "landlock", subject: "the supervisor's ruleset" },
          ...closePassed(context, step.rulesetFd, "landlock", "the supervisor's ruleset")
        ]
      }
      // No file-system or network access handled: the domain only confines ptrace (always) and the scopes.
      // The kernel refuses a ruleset that handles nothing at all (ENOMSG).
      if (step.scopes.length === 0) throw new ProgramError({ reason: "BadValue", subject: `${at}.scopes`, detail: "a Landlock domain without file-system rules needs at least one scope" })
      const attr = new Uint8Array(structs.landlockRulesetAttr.size)
      new DataView(attr.buffer).setBigUint64(structs.landlockRulesetAttr.scoped, BigInt(scopeBits(table, step.scopes)), true)
      const subject = `scopes ${step.scopes.join(", ")}`
      return [
        { nr: sys.landlock_create_ruleset, mode: Mode.expect, args: [layout.bytes(attr), attr.byteLength, 0], expected: scratchFd, stage: "landlock", subject },
        { nr: sys.landlock_restrict_self, mode: Mode.check, args: [scratchFd, 0], stage: "landlock", subject },
        { nr: sys.close, mode: Mode.check, args: [scratchFd], stage: "landlock", subject }
      ]
    }
    default:
      return step satisfies never
  }
}
