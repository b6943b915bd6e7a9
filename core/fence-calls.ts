/**
 * Each fence step as the raw syscalls the child makes, for the native
 * launcher's compiler to adopt mechanically: syscall names, integer
 * arguments, data to lay out in the program block (strings NUL-terminated,
 * structs as bytes) and results of earlier calls of the same step (an fd from
 * openat). Any negative result not in `tolerate` fails the step: the failure
 * record names the step's kind and `subject`.
 *
 * test/sandbox/fence-calls.test.ts runs these sequences for real on a
 * throwaway process inside namespaces made by unshare(1).
 */
import { namespaceFlags } from "./fence-namespaces.ts"
import type { FenceStep, IdMapping } from "./fence-steps.ts"
import { capability, errnos, mountFlags, network, open, prctlOptions, type SyscallName } from "./host/x86_64.ts"

const { EEXIST } = errnos

/**
 * An argument: an integer as is, the address of data the compiler lays out,
 * the result of call `result` of this step, or the child's number for a
 * supervisor fd passed through the fd phase.
 *
 * @example
 * ```ts
 * import type { Operand } from "./fence-calls.ts"
 *
 * const args: ReadonlyArray<Operand> = [{ value: -100n }, { string: "/proc/self/uid_map" }, { value: 1n }]
 * ```
 */
export type Operand =
  | { readonly value: bigint }
  | { readonly string: string }
  | { readonly bytes: Uint8Array }
  | { readonly result: number }
  | { readonly inheritedFd: number }

/**
 * One syscall of a step.
 *
 * @example
 * ```ts
 * import type { RawCall } from "./fence-calls.ts"
 *
 * const call: RawCall = { syscall: "sethostname", args: [{ string: "box" }, { value: 3n }], tolerate: [] }
 * ```
 */
export interface RawCall {
  readonly syscall: SyscallName
  readonly args: ReadonlyArray<Operand>
  /** errno numbers that count as success. */
  readonly tolerate: ReadonlyArray<number>
}

/**
 * A step's calls, and what its failure record names; "interpreter" for a
 * step that is control flow the interpreter implements (pid-init).
 *
 * @example
 * ```ts
 * import type { FenceCalls } from "./fence-calls.ts"
 *
 * const calls: FenceCalls = { subject: "lo", calls: [] }
 * ```
 */
export type FenceCalls = { readonly subject: string; readonly calls: ReadonlyArray<RawCall> } | "interpreter"

const int = (value: number | bigint): Operand => ({ value: BigInt(value) })
const call = (syscall: SyscallName, args: ReadonlyArray<Operand>, tolerate: ReadonlyArray<number> = []): RawCall => ({ syscall, args, tolerate })
const none = int(0)
const optional = (text: string | undefined): Operand => (text === undefined ? none : { string: text })

/** open, one write of the whole text, close: how /proc and cgroup control files want it. */
const writeFile = (path: string, text: string, base: number): ReadonlyArray<RawCall> => {
  const bytes = new TextEncoder().encode(text)
  return [
    call("openat", [int(open.AT_FDCWD), { string: path }, int(open.O_WRONLY | open.O_CLOEXEC)]),
    call("write", [{ result: base }, { bytes }, int(bytes.byteLength)]),
    call("close", [{ result: base }])
  ]
}

const mapText = (mappings: ReadonlyArray<IdMapping>): string =>
  mappings.map(({ inside, outside, count }) => `${inside} ${outside} ${count}\n`).join("")

const u32s = (values: ReadonlyArray<number>): Uint8Array => {
  const bytes = new Uint8Array(Math.max(4, 4 * values.length))
  const view = new DataView(bytes.buffer)
  values.forEach((value, index) => view.setUint32(4 * index, value, true))
  return bytes
}

/** struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }. */
const mountAttr = (set: bigint, clear: bigint): Uint8Array => {
  const bytes = new Uint8Array(mountFlags.mountAttrSize)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, set, true)
  view.setBigUint64(8, clear, true)
  return bytes
}

/** struct ifreq for "lo" with IFF_UP: SIOCSIFFLAGS sets the changeable flags to exactly these. */
const loopbackUp = (): Uint8Array => {
  const bytes = new Uint8Array(network.ifreqSize)
  bytes.set(new TextEncoder().encode("lo"))
  new DataView(bytes.buffer).setInt16(network.ifreqFlagsOffset, network.IFF_UP, true)
  return bytes
}

/** capset's header (v3, pid 0 = self) and its two data words: effective = permitted = keep, inheritable = none. */
const capsetArgs = (keep: ReadonlyArray<number>): readonly [Uint8Array, Uint8Array] => {
  const header = new Uint8Array(capability.headerSize)
  new DataView(header.buffer).setUint32(0, capability.version3, true)
  const data = new Uint8Array(capability.dataSize)
  const view = new DataView(data.buffer)
  for (const cap of keep) {
    const offset = cap < 32 ? 0 : 12
    const bit = 1 << (cap % 32)
    view.setUint32(offset, (view.getUint32(offset, true) | bit) >>> 0, true)
    view.setUint32(offset + 4, (view.getUint32(offset + 4, true) | bit) >>> 0, true)
  }
  return [header, data]
}

/** The calls of a "tmpfs" step; results: the clones first (one per carried mount), then in call order. */
const tmpfsWith = (step: Extract<FenceStep, { readonly kind: "tmpfs" }>): ReadonlyArray<RawCall> => {
  const calls: Array<RawCall> = []
  const inside = (path: string): string => `${step.target}/${path}`
  for (const { source } of step.carry) {
    calls.push(call("open_tree", [int(open.AT_FDCWD), { string: source }, int(mountFlags.OPEN_TREE_CLONE | open.AT_RECURSIVE | open.O_CLOEXEC)]))
  }
  calls.push(call("mount", [{ string: "tmpfs" }, { string: step.target }, { string: "tmpfs" }, int(step.flags), { string: step.data }]))
  for (const directory of step.directories) calls.push(call("mkdirat", [int(open.AT_FDCWD), { string: inside(directory) }, int(0o755)], [EEXIST]))
  step.carry.forEach(({ path, type }, index) => {
    if (type === "directory") calls.push(call("mkdirat", [int(open.AT_FDCWD), { string: inside(path) }, int(0o755)], [EEXIST]))
    else {
      calls.push(call("openat", [int(open.AT_FDCWD), { string: inside(path) }, int(open.O_WRONLY | open.O_CREAT | open.O_CLOEXEC), int(0o644)]))
      calls.push(call("close", [{ result: calls.length - 1 }]))
    }
    calls.push(call("move_mount", [{ result: index }, { string: "" }, int(open.AT_FDCWD), { string: inside(path) }, int(mountFlags.MOVE_MOUNT_F_EMPTY_PATH)]))
    calls.push(call("close", [{ result: index }]))
  })
  for (const link of step.links) calls.push(call("symlinkat", [{ string: link.target }, int(open.AT_FDCWD), { string: inside(link.path) }]))
  if (step.readOnly) {
    calls.push(call("mount_setattr", [int(open.AT_FDCWD), { string: step.target }, int(0), { bytes: mountAttr(BigInt(mountFlags.MOUNT_ATTR_RDONLY), 0n) }, int(mountFlags.mountAttrSize)]))
  }
  return calls
}

/**
 * The raw syscalls of one step.
 *
 * @example
 * ```ts
 * import { fenceCalls } from "./fence-calls.ts"
 *
 * fenceCalls({ kind: "hostname", name: "box" })
 * // { subject: "box", calls: [{ syscall: "sethostname", args: [{ string: "box" }, { value: 3n }], tolerate: [] }] }
 * ```
 */
export const fenceCalls = (step: FenceStep): FenceCalls => {
  switch (step.kind) {
    case "join-cgroup":
      return { subject: step.path, calls: [call("write", [{ inheritedFd: step.procsFd }, { string: "0" }, int(1)]), call("close", [{ inheritedFd: step.procsFd }])] }
    case "unshare":
      return { subject: step.namespaces.join(","), calls: [call("unshare", [int(namespaceFlags(step.namespaces))])] }
    case "id-map":
      // The supervisor writes richer maps itself, from outside, while the child waits for its go-ahead.
      if (step.writer === "supervisor") return "interpreter"
      return {
        subject: "/proc/self/uid_map",
        calls: [...writeFile("/proc/self/setgroups", "deny", 0), ...writeFile("/proc/self/uid_map", mapText(step.uid), 3), ...writeFile("/proc/self/gid_map", mapText(step.gid), 6)]
      }
    case "pid-init":
      return "interpreter"
    case "mount":
      return {
        subject: step.target,
        calls: [call("mount", [optional(step.source), { string: step.target }, optional(step.fstype), int(step.flags), optional(step.data)])]
      }
    case "mount-attributes":
      return {
        subject: step.path,
        calls: [call("mount_setattr", [int(open.AT_FDCWD), { string: step.path }, int(step.recursive ? open.AT_RECURSIVE : 0), { bytes: mountAttr(step.set, step.clear) }, int(mountFlags.mountAttrSize)])]
      }
    case "mount-point":
      return step.type === "directory"
        ? { subject: step.path, calls: [call("mkdirat", [int(open.AT_FDCWD), { string: step.path }, int(0o755)], [EEXIST])] }
        : { subject: step.path, calls: [call("openat", [int(open.AT_FDCWD), { string: step.path }, int(open.O_WRONLY | open.O_CREAT | open.O_CLOEXEC), int(0o644)]), call("close", [{ result: 0 }])] }
    case "symlink":
      return { subject: step.path, calls: [call("symlinkat", [{ string: step.target }, int(open.AT_FDCWD), { string: step.path }])] }
    case "tmpfs":
      return { subject: step.target, calls: tmpfsWith(step) }
    case "pivot-root":
      return {
        subject: step.newRoot,
        calls: [
          call("chdir", [{ string: step.newRoot }]),
          call("pivot_root", [{ string: "." }, { string: "." }]),
          call("umount2", [{ string: "." }, int(mountFlags.MNT_DETACH)]),
          call("chdir", [{ string: "/" }])
        ]
      }
    case "hostname":
      return { subject: step.name, calls: [call("sethostname", [{ string: step.name }, int(new TextEncoder().encode(step.name).byteLength)])] }
    case "loopback-up":
      return {
        subject: "lo",
        calls: [
          call("socket", [int(network.AF_INET), int(network.SOCK_DGRAM | network.SOCK_CLOEXEC), int(0)]),
          call("ioctl", [{ result: 0 }, int(network.SIOCSIFFLAGS), { bytes: loopbackUp() }]),
          call("close", [{ result: 0 }])
        ]
      }
    case "drop-bounding": {
      const drop = Array.from({ length: step.lastCap + 1 }, (_, cap) => cap).filter((cap) => !step.keep.includes(cap))
      return { subject: "bounding set", calls: drop.map((cap) => call("prctl", [int(prctlOptions.PR_CAPBSET_DROP), int(cap), none, none, none])) }
    }
    case "groups":
      return { subject: step.groups.join(",") || "no groups", calls: [call("setgroups", [int(step.groups.length), step.groups.length === 0 ? none : { bytes: u32s(step.groups) }])] }
    case "ids":
      return {
        subject: `uid ${step.uid} gid ${step.gid}`,
        calls: [call("setresgid", [int(step.gid), int(step.gid), int(step.gid)]), call("setresuid", [int(step.uid), int(step.uid), int(step.uid)])]
      }
    case "clear-capabilities": {
      const [header, data] = capsetArgs(step.keep)
      return {
        subject: "capabilities",
        calls: [call("prctl", [int(prctlOptions.PR_CAP_AMBIENT), int(prctlOptions.PR_CAP_AMBIENT_CLEAR_ALL), none, none, none]), call("capset", [{ bytes: header }, { bytes: data }])]
      }
    }
    case "landlock-restrict":
      return {
        subject: "Landlock domain",
        calls: [
          call("prctl", [int(prctlOptions.PR_SET_NO_NEW_PRIVS), int(1), none, none, none]),
          call("landlock_restrict_self", [{ inheritedFd: step.rulesetFd }, int(step.flags)]),
          call("close", [{ inheritedFd: step.rulesetFd }])
        ]
      }
  }
}

