/**
 * The compile rules of the preExec steps (core/steps.ts): each step kind as
 * the ops the child runs for it. A new step kind is a new case here; a kind
 * without one is a type error (the `never` in `stepOps`). The pid-namespace
 * init, which changes the program's shape rather than adding ops, is init.ts.
 */
import type { ArchTable } from "../arch/mod.ts"
import type { LandlockScope, PreExecStep, RlimitValue } from "../steps.ts"
import type { BlockLayout, DataRef, OpSpec } from "./block.ts"
import { ProgramError } from "./errors.ts"
import { Mode } from "./format.ts"

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
 * A step the rules here compile (seccomp and pid-namespace change the program's shape; compile.ts places them).
 *
 * @example
 * ```ts
 * const step: PlainStep = { kind: "chdir", path: "/srv" }
 * ```
 */
export type PlainStep = Exclude<PreExecStep, { kind: "seccomp" | "pid-namespace" }>

const encoder = new TextEncoder()

/** BPF_MAXINSNS */
const maxBpfInstructions = 4096

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

const rlimitValue = (table: ArchTable, value: RlimitValue, subject: string): bigint => {
  if (value === "unlimited") return table.constants.RLIM_INFINITY
  if (value < 0n || value > table.constants.RLIM_INFINITY) throw new ProgramError({ reason: "BadValue", subject, detail: `got ${value}` })
  return value
}

/**
 * Writes `text` to a /proc file: open (the fd is the lowest free one, `scratchFd`), write all of it, close.
 * Used where nothing else holds `scratchFd` (right after close_range, or after a close).
 */
const writeFile = (table: ArchTable, layout: BlockLayout, path: string, text: string, stage: string, scratchFd: number): ReadonlyArray<RuleOp> => {
  const { syscalls: sys, constants: c } = table
  const bytes = encoder.encode(text)
  return [
    { nr: sys.openat, mode: Mode.expect, args: [c.AT_FDCWD, layout.string(path), c.O_WRONLY | c.O_CLOEXEC], expected: scratchFd, stage, subject: path },
    { nr: sys.write, mode: Mode.expect, args: [scratchFd, layout.bytes(bytes), bytes.byteLength], expected: bytes.byteLength, stage, subject: path },
    { nr: sys.close, mode: Mode.check, args: [scratchFd], stage, subject: path }
  ]
}

const scopeBits = (table: ArchTable, scopes: ReadonlyArray<LandlockScope>): number =>
  scopes.reduce((bits, scope) => bits | (scope === "signal" ? table.constants.LANDLOCK_SCOPE_SIGNAL : table.constants.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET), 0)

/**
 * The ops of one plain step. `at` names the step in errors ("steps[2] (chdir)");
 * `scratchFd` is the fd number a step that opens a transient fd will get.
 *
 * @example
 * ```ts
 * import type { ArchTable } from "../arch/mod.ts"
 * import type { BlockLayout } from "./block.ts"
 *
 * declare const table: ArchTable, layout: BlockLayout
 * stepOps(table, { kind: "setsid" }, "steps[0] (setsid)", layout, 4).length // 1
 * ```
 */
export const stepOps = (table: ArchTable, step: PlainStep, at: string, layout: BlockLayout, scratchFd: number): ReadonlyArray<RuleOp> => {
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
    case "user-namespace":
      return [
        ...writeFile(table, layout, "/proc/self/setgroups", "deny", "user-namespace", scratchFd),
        ...writeFile(table, layout, "/proc/self/uid_map", refuseNul(step.uidMap, `${at}.uidMap`), "user-namespace", scratchFd),
        ...writeFile(table, layout, "/proc/self/gid_map", refuseNul(step.gidMap, `${at}.gidMap`), "user-namespace", scratchFd)
      ]
    case "landlock": {
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

/**
 * A sock_fprog and its instructions in the block; a ProgramError for a BPF
 * program that is empty, too long or not whole instructions.
 *
 * @example
 * ```ts
 * import type { ArchTable } from "../arch/mod.ts"
 * import type { BlockLayout } from "./block.ts"
 *
 * declare const table: ArchTable, layout: BlockLayout
 * const fprog = filterProgram(table, new Uint8Array(8), "steps[0] (seccomp)", layout)
 * ```
 */
export const filterProgram = (table: ArchTable, bpf: Uint8Array, at: string, layout: BlockLayout): DataRef => {
  const { size, len, filter, instructionSize } = table.structs.sockFprog
  const count = bpf.byteLength / instructionSize
  if (!Number.isInteger(count) || count === 0 || count > maxBpfInstructions) {
    throw new ProgramError({ reason: "BadFilter", subject: `${at}.bpf`, detail: `${bpf.byteLength} bytes: 1 to ${maxBpfInstructions} instructions of ${instructionSize} bytes` })
  }
  const instructions = layout.bytes(bpf.slice())
  const program = new Uint8Array(size)
  new DataView(program.buffer).setUint16(len, count, true)
  const ref = layout.bytes(program)
  layout.pointerAt(ref.data + filter, instructions)
  return ref
}
