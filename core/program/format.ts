/**
 * The child program's binary format, shared by the compiler (compile.ts),
 * the interpreters (interpreter-*.ts, machine code) and the decoder of the
 * child's reports (report.ts). Nothing else knows these offsets.
 *
 * A program block starts with its ops, one after the other, each `opSize`
 * bytes; data (strings, pointer tables, structs, BPF) follows them. The
 * interpreter starts at op 0 and runs until an op ends the process: the
 * compiler always ends the list with `failPending`, so control never runs past
 * the last op. Pointers inside the block are absolute (fixed up by `image`).
 *
 * Op layout (little-endian):
 * | offset | type   | field                                                         |
 * |--------|--------|---------------------------------------------------------------|
 * | 0      | u32    | syscall number                                                |
 * | 4      | u8     | mode: what to do with the result (`Mode`)                     |
 * | 5      | u8     | scratchArgs: bit i set = arg i is an offset into the scratch area |
 * | 6      | u16    | reportFd: where a failure record of this op goes              |
 * | 8      | u64[6] | the syscall's arguments                                       |
 * | 56     | i32    | expected: the result `expect*` wants; `failPending`'s errno   |
 * | 60     | u32    | exitStatus of `expectOrExit`                                  |
 *
 * The scratch area is `scratchSize` bytes of the interpreter's own stack: the
 * handshake read's buffer and the failure record live there, since the block
 * may be mapped read-only.
 */

export const opSize = 64
export const scratchSize = 4096

/** Byte offsets of an op's fields. */
export const opField = { nr: 0, mode: 4, scratchArgs: 5, reportFd: 6, args: 8, expected: 56, exitStatus: 60 } as const

/**
 * What the interpreter does with a syscall's result. A raw syscall fails when
 * its result, as unsigned, is at least -MAX_ERRNO; errno is then -result.
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
  failPending: 5
} as const

/** A Mode value. */
export type Mode = (typeof Mode)[keyof typeof Mode]

/** Exit status of a child whose program failed (like a shell's "cannot execute"). */
export const failureExitStatus = 127

/**
 * Report records, child -> parent on the control channel, `recordSize` bytes:
 * | 0 | u32 tag | 4 | u32 op index | 8 | i32 errno | 12 | u32 zero |
 */
export const recordSize = 16
export const recordTag = { installingListener: 0x6b6b0001, failure: 0x6b6b0002 } as const

/** An interpreter as assembled from its source: the code, where to enter it, and the GNU `as` listing of the same program. */
export interface Assembled {
  readonly code: Uint8Array
  readonly entry: number
  readonly listing: string
}
