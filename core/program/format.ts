/**
 * The child program's binary format, shared by the compiler (compile.ts),
 * the interpreters (interpreter-*.ts, machine code) and the decoder of the
 * child's reports (report.ts). Nothing else knows these offsets.
 *
 * A program block starts with its ops, one after the other, each `opSize`
 * bytes; data (strings, pointer tables, structs, BPF) follows them. The
 * interpreter starts at op 0 and runs until an op ends the process: every
 * path the compiler emits ends in execve, exit_group or `failPending`, so
 * control never runs past the last op. Pointers inside the block are absolute
 * (fixed up by `image`).
 *
 * Op layout (little-endian):
 * | offset | type   | field                                                              |
 * |--------|--------|--------------------------------------------------------------------|
 * | 0      | u32    | syscall number                                                     |
 * | 4      | u8     | mode: what to do with the result (`Mode`)                          |
 * | 5      | u8     | scratchArgs: bit i set = arg i is an offset into the scratch area  |
 * | 6      | u16    | reportFd: where a failure record of this op goes                   |
 * | 8      | u64[6] | the syscall's arguments                                            |
 * | 56     | i32    | expected: the result `expect*` wants; `failPending`'s errno        |
 * | 60     | u16    | exitStatus of `expectOrExit`; the op index a jump goes to          |
 * | 62     | u8     | slotArgs: bit i set = arg i is a slot number, replaced by its value |
 * | 63     | u8     | saveSlot: the slot the result is stored in (0 = none)              |
 *
 * The scratch area is `scratchSize` bytes of the interpreter's own stack: the
 * handshake read's buffer and the failure record live in its first 4 KiB,
 * since the block may be mapped read-only; then come `slotCount` 64-bit slots,
 * the program's variables (a pid, a wait status, a signal number), which ops
 * fill with `saveSlot` and `value` and read with `slotArgs`. A child made with
 * CLONE_VM | CLONE_VFORK and no new stack (the pid-namespace init's target)
 * runs on the same scratch while its parent sleeps: it never writes the slots
 * its parent reads after it resumes. The init owns slots 1-4 and 16-31; the
 * steps' rules use `stepSlots` (fds of open_tree, socket, ... until closed).
 */

/**
 * Bytes per op.
 *
 * @example
 * ```ts
 * const secondOp = 1 * opSize // byte offset of op 1
 * ```
 */
export const opSize = 64
/**
 * Where the slots start in the scratch area.
 *
 * @example
 * ```ts
 * const slot3 = slotsOffset + 8 * 3 // scratch offset of slot 3
 * ```
 */
export const slotsOffset = 4096
/**
 * How many slots the scratch area has; slot 0 means "no slot".
 *
 * @example
 * ```ts
 * slotCount // 32
 * ```
 */
export const slotCount = 32
/**
 * A slot as an op argument: its memory in the scratch area (for a syscall that reads or writes through a pointer).
 *
 * @example
 * ```ts
 * import { slotScratch } from "./format.ts"
 *
 * slotScratch(3) // { scratch: 4120 }
 * ```
 */
export const slotScratch = (index: number): { readonly scratch: number } => ({ scratch: slotsOffset + 8 * index })
/**
 * The slots compile rules may use for the fds they open (the init never reads them).
 *
 * @example
 * ```ts
 * stepSlots.transient // 15: an fd opened and closed by the same few ops
 * ```
 */
export const stepSlots = { first: 5, last: 14, transient: 15 } as const
/**
 * Bytes of the interpreter's stack the program may use.
 *
 * @example
 * ```ts
 * scratchSize // 4096 + 32 * 8
 * ```
 */
export const scratchSize: number = slotsOffset + 8 * slotCount

/**
 * Byte offsets of an op's fields.
 *
 * @example
 * ```ts
 * opField.args + 8 * 2 // the third argument
 * ```
 */
export const opField = {
  nr: 0, mode: 4, scratchArgs: 5, reportFd: 6, args: 8, expected: 56, exitStatus: 60, target: 60, slotArgs: 62, saveSlot: 63
} as const

/**
 * What the interpreter does with an op. For syscalls: what to do with the
 * result; a raw syscall failed when its result, as unsigned, is at least
 * -MAX_ERRNO, and errno is then -result. The result is stored in `saveSlot`
 * (if any) before the mode looks at it.
 *
 * @example
 * ```ts
 * const mode: Mode = Mode.check
 * ```
 */
export const Mode = {
  /** Go on, whatever the result (umask). */
  ignore: 0,
  /** Fail on an error result. */
  check: 1,
  /** Fail unless the result is `expected` (errno: -result for an error result, else 0). */
  expect: 2,
  /** exit_group(exitStatus) unless the result is `expected`, with no record (the parent check). */
  expectOrExit: 3,
  /**
   * One execve attempt of a PATH search: ENOENT/ENOTDIR go on, EACCES is
   * remembered and goes on, any other error fails at once.
   */
  execTry: 4,
  /** No syscall: fail with the remembered errno (EACCES), else with `expected`. */
  failPending: 5,
  /** No syscall: the result is arg 0 (a constant or a slot's value), for `saveSlot`. */
  value: 6,
  /** No syscall: go to op `target` when the low 32 bits of args 0 and 1 are equal. */
  jumpIfEqual: 7,
  /** No syscall: go to op `target` when the low 32 bits of args 0 and 1 differ. */
  jumpIfNotEqual: 8
} as const

/**
 * A Mode value.
 *
 * @example
 * ```ts
 * const mode: Mode = Mode.execTry
 * ```
 */
export type Mode = (typeof Mode)[keyof typeof Mode]

/**
 * Exit status of a child whose program failed (like a shell's "cannot execute").
 *
 * @example
 * ```ts
 * failureExitStatus // 127
 * ```
 */
export const failureExitStatus = 127

/**
 * Report records, child -> parent on the control channel, `recordSize` bytes:
 * | 0 | u32 tag | 4 | u32 op index | 8 | i32 value | 12 | u32 zero |
 * The value is the errno of a failure and the wait status of `targetStatus`.
 * `started`: the init's target has exec'd (or failed, in
 * which case its failure record came first).
 *
 * @example
 * ```ts
 * recordTag.failure // 0x6b6b0002
 * ```
 */
export const recordSize = 16
/**
 * Each record kind's tag.
 *
 * @example
 * ```ts
 * recordTag.started // 0x6b6b0004
 * ```
 */
export const recordTag = { installingListener: 0x6b6b0001, failure: 0x6b6b0002, started: 0x6b6b0004, targetStatus: 0x6b6b0005 } as const

/**
 * An interpreter as assembled from its source: the code, where to enter it, and the GNU `as` listing of the same program.
 *
 * @example
 * ```ts
 * declare const assembled: Assembled
 * assembled.code.byteLength
 * ```
 */
export interface Assembled {
  readonly code: Uint8Array
  readonly entry: number
  readonly listing: string
}
