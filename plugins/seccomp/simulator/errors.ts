/**
 * The error of the classic-BPF simulator: a program the kernel's seccomp
 * loader would refuse (seccomp_check_filter and bpf_check_classic), found
 * before anything runs it, so a simulated answer is always one the kernel
 * could have given.
 */
import type { Cause } from "effect"
import { Data } from "effect"

/**
 * Why a BPF program was refused.
 * - `Truncated`: the bytes are not a whole number of 8-byte instructions
 * - `Empty`, `TooLong`: no instructions, or more than the kernel's 4096
 * - `BadInstruction`: an opcode seccomp does not allow
 * - `BadOffset`: a load outside `struct seccomp_data` or not 4-byte aligned
 * - `BadJump`: a jump past the end of the program
 * - `BadMemory`: a scratch-memory index above 15, or a load of a word never stored on some path
 * - `BadConstant`: division by a constant zero, or a shift by 32 or more
 * - `NoReturn`: the last instruction is not a return
 *
 * @example
 * ```ts
 * import type { BpfErrorReason } from "kakoi/seccomp"
 *
 * const reason: BpfErrorReason = "BadJump"
 * ```
 */
export type BpfErrorReason = "Truncated" | "Empty" | "TooLong" | "BadInstruction" | "BadOffset" | "BadJump" | "BadMemory" | "BadConstant" | "NoReturn"

interface BpfErrorFields {
  readonly reason: BpfErrorReason
  /** The index of the offending instruction; undefined for the program as a whole. */
  readonly instruction: number | undefined
  readonly detail: string
}

const BpfErrorBase: new (args: BpfErrorFields) => Cause.YieldableError & { readonly _tag: "BpfError" } & Readonly<BpfErrorFields> =
  Data.TaggedError("BpfError")

/**
 * A classic-BPF program the kernel would not load as a seccomp filter.
 *
 * @example
 * ```ts
 * import { BpfError, prepare } from "kakoi/seccomp"
 *
 * try {
 *   prepare(new Uint8Array(7))
 * } catch (error) {
 *   if (error instanceof BpfError) error.message // "Invalid BPF program: 7 bytes is not a whole number of 8-byte instructions"
 * }
 * ```
 */
export class BpfError extends BpfErrorBase {
  override get message(): string {
    const at = this.instruction === undefined ? "" : ` at instruction ${this.instruction}`
    return `Invalid BPF program${at}: ${this.detail}`
  }
}
