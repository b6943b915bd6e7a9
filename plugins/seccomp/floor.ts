/**
 * The floor: what every kakoi policy denies besides its own rules, because it
 * lets a child reach outside its fence.
 * - `tiocsti`, `tioclinux`: ioctls that push input into a terminal; a child of
 *   `kakoi run` could type a command into the user's shell that runs after
 *   kakoi exits. Matched on the low 32 bits of the command (the kernel reads
 *   `unsigned int cmd`).
 * - `ptrace`, `process_vm_readv`, `process_vm_writev`, `pidfd_getfd`: reaching
 *   into another process, e.g. the unfiltered supervisor, or stealing the
 *   notify listener back from it. (The supervisor's own pidfd_getfd runs in
 *   the parent, outside the child's filter.)
 * - `io_uring`: when the policy denies anything, io_uring_setup/enter/register
 *   too, since io_uring's MKDIRAT, OPENAT, SOCKET... operations run without the
 *   syscalls the policy denies.
 * An ioctl entry is off when a rule compares the command with exactly that
 * value (`arg(1).eq(TIOCSTI)`: that rule decides it). Each other entry is off
 * when a rule without conditions names its syscall directly
 * or through a family (that rule decides every call then), or when `floor`
 * switches it off. A conditional rule does not lift it: the calls it does not
 * match would fall to the default action. Denials
 * fail with EPERM (what the kernel answers without the privilege); io_uring
 * with ENOSYS, as on a kernel without it, so programs fall back to plain
 * syscalls, which the policy then decides. Where the policy's default is the
 * entry's errno, an unconditional entry is the strictest rule for its calls
 * and leaves them to the default (plan.ts), while the ioctl entries, beside
 * a rule that may let ioctl run, answer EIO (what the kernel answers TIOCSTI
 * with legacy_tiocsti off).
 */
import { errnoNumber } from "../../core/errno.ts"
import type { Action, ArgCondition } from "./model.ts"

/**
 * One switch of the floor.
 *
 * @example
 * ```ts
 * import type { FloorEntry } from "kakoi/seccomp"
 *
 * const entry: FloorEntry = "tiocsti"
 * ```
 */
export type FloorEntry = "tiocsti" | "tioclinux" | "ptrace" | "process_vm_readv" | "process_vm_writev" | "pidfd_getfd" | "io_uring"

/**
 * Which floor entries a policy keeps (all, unless the policy says `floor: false` or `floor: { ptrace: false }`).
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 *
 * policy({ default: "allow", floor: { ptrace: false } }).floor.ptrace // false
 * ```
 */
export type Floor = Readonly<Record<FloorEntry, boolean>>

/**
 * Every entry, in the order the filter gets them.
 *
 * @example
 * ```ts
 * import { floorEntries } from "kakoi/seccomp"
 *
 * floorEntries[0] // "tiocsti"
 * ```
 */
export const floorEntries: ReadonlyArray<FloorEntry> = ["tiocsti", "tioclinux", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "io_uring"]

/**
 * The floor when a policy does not mention it: every entry on.
 *
 * @example
 * ```ts
 * import { fullFloor } from "./floor.ts"
 *
 * fullFloor.io_uring // true
 * ```
 */
export const fullFloor: Floor = Object.freeze(Object.fromEntries(floorEntries.map((entry) => [entry, true])) as Record<FloorEntry, boolean>)

// asm-generic/ioctls.h (x86_64 and most arches): until core/arch/x86_64.ts holds ioctl numbers.
const TIOCSTI = 0x5412n
const TIOCLINUX = 0x541cn
const low32 = 0xffff_ffffn

const errno = (name: "EPERM" | "EIO" | "ENOSYS"): Action => ({ kind: "errno", errno: errnoNumber(name) ?? 0 })

/**
 * What one floor entry puts in the filter.
 *
 * @example
 * ```ts
 * import type { FloorRule } from "kakoi/seccomp"
 *
 * const rule: FloorRule = { entry: "ptrace", syscalls: ["ptrace"], args: [], action: { kind: "errno", errno: 1 }, reason: "ptrace reaches into another process" }
 * ```
 */
export interface FloorRule {
  readonly entry: FloorEntry
  readonly syscalls: ReadonlyArray<string>
  readonly args: ReadonlyArray<ArgCondition>
  readonly action: Action
  /**
   * The action instead when the policy's default is `action` and a rule may let the syscall run:
   * libseccomp refuses a rule equal to the default, and that rule (an allowed ioctl) would then decide
   * what the entry denies.
   */
  readonly otherwise?: Action
  readonly reason: string
}

const ioctlCommand = (cmd: bigint): ReadonlyArray<ArgCondition> => [{ index: 1, op: "masked==", mask: low32, value: cmd }]

/**
 * The rule of every floor entry.
 *
 * @example
 * ```ts
 * import { floorRules } from "kakoi/seccomp"
 *
 * floorRules.find((rule) => rule.entry === "ptrace")?.action // { kind: "errno", errno: 1 }
 * ```
 */
export const floorRules: ReadonlyArray<FloorRule> = [
  { entry: "tiocsti", syscalls: ["ioctl"], args: ioctlCommand(TIOCSTI), action: errno("EPERM"), otherwise: errno("EIO"), reason: "TIOCSTI pushes input into a terminal" },
  { entry: "tioclinux", syscalls: ["ioctl"], args: ioctlCommand(TIOCLINUX), action: errno("EPERM"), otherwise: errno("EIO"), reason: "TIOCLINUX can push a console's selection as input" },
  { entry: "ptrace", syscalls: ["ptrace"], args: [], action: errno("EPERM"), reason: "ptrace reaches into another process" },
  { entry: "process_vm_readv", syscalls: ["process_vm_readv"], args: [], action: errno("EPERM"), reason: "process_vm_readv reads another process's memory" },
  { entry: "process_vm_writev", syscalls: ["process_vm_writev"], args: [], action: errno("EPERM"), reason: "process_vm_writev writes another process's memory" },
  { entry: "pidfd_getfd", syscalls: ["pidfd_getfd"], args: [], action: errno("EPERM"), reason: "pidfd_getfd takes another process's file descriptors" },
  {
    entry: "io_uring",
    syscalls: ["io_uring_setup", "io_uring_enter", "io_uring_register"],
    args: [],
    action: errno("ENOSYS"),
    reason: "io_uring runs operations (mkdirat, openat, socket...) without the syscalls the policy denies"
  }
]
