/**
 * The runtime-free child program: `compileProgram` turns what the child must
 * do between clone and execve into a block of ops and data, `interpreter`
 * gives the machine code that runs such a block in the cloned child. The
 * adapters map both, clone into `code + entry` with the block's address as the
 * argument, and read the child's reports back through `decode`.
 */
import { archTable, hostArch, type Arch } from "../arch/mod.ts"
import { BlockLayout } from "./block.ts"
import { compileOps, handshakeReadSize, listenerFd, type ProgramInput } from "./compile.ts"
import { interpreterCode } from "./interpreter-code.ts"
import { decodeReport, type Report } from "./report.ts"

export type { Arch } from "../arch/mod.ts"
export { UnsupportedArchitecture } from "../arch/mod.ts"
export type { ProgramInput } from "./compile.ts"
export { ProgramError, type ProgramErrorReason } from "./errors.ts"
export type { LaunchFailure, Report } from "./report.ts"

/**
 * A compiled child program.
 *
 * @example
 * ```ts
 * declare const program: ChildProgram
 * const bytes = program.image(0x7f0000000000n) // copy these to the block's mapping
 * ```
 */
export interface ChildProgram {
  /** Bytes of the program block. */
  readonly size: number
  /** The block's bytes with every pointer fixed up for `address` (8-aligned). */
  readonly image: (address: bigint) => Uint8Array
  /** A seccomp step has `listener: true`: clone without CLONE_VFORK and do the handshake. */
  readonly hasListener: boolean
  /**
   * A "pid-namespace" step: the child is the namespace's init and lives as long
   * as the target, so no CLONE_VFORK, and the block and stack stay mapped until
   * the control channel's end of file (the init's exit). The target's exec is
   * the `started` record, its wait status the `targetStatus` record.
   */
  readonly init: boolean
  /** Whether the adapter may clone with CLONE_VFORK (neither a listener handshake nor an init). */
  readonly mayVfork: boolean
  /** Namespace flags to add to the clone: CLONE_NEWUSER for a "user-namespace" step, CLONE_NEWPID for "pid-namespace". */
  readonly cloneFlags: number
  /** The fd the listener has in the child (for pidfd_getfd). */
  readonly listenerFd: number
  /** The count of the child's handshake read, to recognise it when the policy notifies read. */
  readonly handshakeReadSize: number
  /** Everything received on the control channel so far, decoded. */
  readonly decode: (received: Uint8Array) => Report
}

/**
 * Compiles the child program for `arch` (default: the running one). Throws a
 * ProgramError for input it cannot run as asked (a NUL byte in argv or env,
 * an fd below 10, a bad filter, ...) and UnsupportedArchitecture off x86_64/aarch64.
 *
 * @example
 * ```ts
 * const program = compileProgram({
 *   argv: ["true"], env: ["PATH=/bin"], steps: [{ kind: "chdir", path: "/" }],
 *   stdio: [10, 11, 12], control: 13, parentDeathSignal: 0, parentPid: 1, parentPidfd: 14, signalsToDefault: []
 * })
 * program.hasListener // false
 * ```
 */
export const compileProgram = (input: ProgramInput, arch: Arch = hostArch()): ChildProgram => {
  const layout = new BlockLayout()
  const { hasListener, init, cloneFlags } = compileOps(input, archTable(arch), layout)
  const { size, ops, image } = layout.finish()
  return {
    size, image, hasListener, init, cloneFlags, mayVfork: !hasListener && !init, listenerFd, handshakeReadSize,
    decode: (received) => decodeReport(ops, received)
  }
}

const decoded = new Map<Arch, { readonly code: Uint8Array; readonly entry: number }>()

/**
 * The interpreter's machine code for `arch` (default: the running one), the
 * bytes its source assembles to as shipped in interpreter-code.ts; `entry` is
 * the offset to clone into. Throws UnsupportedArchitecture off x86_64/aarch64.
 *
 * @example
 * ```ts
 * const { code, entry } = interpreter()
 * code.byteLength < 4096 // true: it fits one page
 * ```
 */
export const interpreter = (arch: Arch = hostArch()): { readonly code: Uint8Array; readonly entry: number } => {
  let known = decoded.get(arch)
  if (known === undefined) {
    const { hex, entry } = interpreterCode[arch]
    known = { code: Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16)), entry }
    decoded.set(arch, known)
  }
  return { code: known.code.slice(), entry: known.entry }
}
