/**
 * What every compile rule (core/program/rules/*) works with: the op shape a
 * rule states, the context it compiles in, and the small helpers several
 * rules share (C strings without NULs, a write to a /proc or cgroup file).
 */
import type { ArchTable } from "../../arch/mod.ts"
import type { BlockLayout, OpSpec } from "../block.ts"
import { ProgramError } from "../errors.ts"
import { Mode } from "../format.ts"

/**
 * An op as a rule states it: the compiler adds where failures are reported.
 *
 * @example
 * ```ts
 * const op: RuleOp = { nr: 112, mode: 1, args: [], stage: "setsid", subject: "new session" }
 * ```
 */
export type RuleOp = Omit<OpSpec, "reportFd">

/**
 * Where a rule compiles: the arch's numbers, the block, the step's name in
 * errors ("steps[2] (chdir)"), the fd a transient open gets (the lowest free
 * one, 4: nothing holds it between close_range and the listener's install),
 * and the child's number for a supervisor fd the step names, with whether
 * this step is the last to use it (then the rule closes it).
 *
 * @example
 * ```ts
 * declare const context: RuleContext
 * context.passed(14) // { fd: 5, last: true }
 * ```
 */
export interface RuleContext {
  readonly table: ArchTable
  readonly layout: BlockLayout
  readonly at: string
  readonly scratchFd: number
  readonly passed: (parentFd: number) => { readonly fd: number; readonly last: boolean }
}

/**
 * `text`, or a ProgramError naming `subject` when it holds a NUL byte (the kernel would cut it there).
 *
 * @example
 * ```ts
 * refuseNul("/tmp", "steps[0] (chdir).path") // "/tmp"
 * ```
 */
export const refuseNul = (text: string, subject: string): string => {
  if (text.includes("\0")) throw new ProgramError({ reason: "NulByte", subject })
  return text
}

const encoder = new TextEncoder()

/**
 * Writes `text` to a /proc file: open (the fd is `context.scratchFd`), write all of it, close.
 *
 * @example
 * ```ts
 * declare const context: RuleContext
 * writeFile(context, "/proc/self/setgroups", "deny", "user-namespace").length // 3
 * ```
 */
export const writeFile = (context: RuleContext, path: string, text: string, stage: string): ReadonlyArray<RuleOp> => {
  const { table: { syscalls: sys, constants: c }, layout, scratchFd } = context
  const bytes = encoder.encode(text)
  return [
    { nr: sys.openat, mode: Mode.expect, args: [c.AT_FDCWD, layout.string(path), c.O_WRONLY | c.O_CLOEXEC], expected: scratchFd, stage, subject: path },
    { nr: sys.write, mode: Mode.expect, args: [scratchFd, layout.bytes(bytes), bytes.byteLength], expected: bytes.byteLength, stage, subject: path },
    { nr: sys.close, mode: Mode.check, args: [scratchFd], stage, subject: path }
  ]
}

/**
 * The close of a supervisor fd after its last use; nothing before that.
 *
 * @example
 * ```ts
 * declare const context: RuleContext
 * closePassed(context, 14, "landlock", "Landlock ruleset")
 * ```
 */
export const closePassed = (context: RuleContext, parentFd: number, stage: string, subject: string): ReadonlyArray<RuleOp> => {
  const { fd, last } = context.passed(parentFd)
  return last ? [{ nr: context.table.syscalls.close, mode: Mode.check, args: [fd], stage, subject }] : []
}
