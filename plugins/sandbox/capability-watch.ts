/**
 * The capability watch (identity's `diagnoseCapabilities`): a seccomp filter
 * whose notify rules match only calls that cannot succeed without a
 * capability the child no longer holds (its capabilities were cleared and its
 * ids are known), so the supervisor can name the call and the capability in
 * the exit diagnosis. What is knowable this way, and what is not:
 * - knowable from the syscall and its integer arguments: setuid/setgid and
 *   their setre- and setres- forms to an id other than the child's own (CAP_SETUID,
 *   CAP_SETGID), setgroups (CAP_SETGID), chown to another owner (CAP_CHOWN),
 *   mknod of a device (CAP_MKNOD), chroot, mount and the new mount API,
 *   pivot_root, sethostname/setdomainname, swapon/off (CAP_SYS_ADMIN), raw
 *   and packet sockets (CAP_NET_RAW), reboot/kexec (CAP_SYS_BOOT), module
 *   loading (CAP_SYS_MODULE), setting the clock (CAP_SYS_TIME), iopl/ioperm
 *   (CAP_SYS_RAWIO), acct (CAP_SYS_PACCT);
 * - not knowable: what depends on the object (EACCES on a file the
 *   capability-less child may not read: CAP_DAC_OVERRIDE; kill of another
 *   user's process: CAP_KILL; bind to a port below 1024, whose number is in
 *   memory), so those are never reported.
 * The handler records such a call and lets the kernel run it (CONTINUE): the
 * kernel refuses it, with the errno it would give anyway (EPERM, or an earlier
 * ENOENT for a chroot to nowhere), so the child behaves exactly as without the
 * watch. CONTINUE is safe here: nothing of the child's memory is read, and the
 * kernel checks the capability itself. A caller in a user namespace the child
 * made itself may hold the capability there: its call is not recorded. A
 * capability the child keeps has no rules.
 */
import { Effect } from "effect"
import { constants } from "../../core/arch/generic.ts"
import type { CapabilityDiagnosis } from "../../core/exit.ts"
import { type Kernel, memory, pathMemory } from "../../core/host/kernel.ts"
import type { LaunchingChild } from "../../core/plugin.ts"
import type { ArgJson, PolicyJson, RuleJson } from "../seccomp/json.ts"
import type { SeccompLibrary } from "../seccomp/library.ts"
import type { Policy } from "../seccomp/model.ts"
import type { NotifyError } from "../seccomp/notify/errors.ts"
import { answer, type Notification } from "../seccomp/notify/handler.ts"
import { superviseChild } from "../seccomp/notify/hook.ts"
import { policy as makePolicy } from "../seccomp/policy.ts"
import { capabilityConstants } from "../seccomp/formats/capabilities.ts"
import { capabilityLabel } from "./capabilities.ts"

/**
 * Who the child is once its identity steps ran: the ids it holds (real,
 * effective and saved alike) and the capabilities it keeps.
 *
 * @example
 * ```ts
 * import type { WatchedChild } from "./capability-watch.ts"
 *
 * const nobody: WatchedChild = { uid: 65534, gid: 65534, keep: [] }
 * ```
 */
export interface WatchedChild {
  readonly uid: number
  readonly gid: number
  readonly keep: ReadonlyArray<number>
}

const cap = (name: (typeof capabilityConstants)[number]): number => capabilityConstants.indexOf(name)
/** (uid_t)-1: "leave unchanged" to the setre-/setres- calls and chown, never a change. */
const unchanged = 0xffffffffn
const low32 = (value: bigint): bigint => value & 0xffffffffn
const notOwn = (index: number, id: number): ArgJson => ({ index, op: "!=", value: id })
const fileType = (index: number, type: number): ArgJson => ({ index, op: "masked==", mask: constants.S_IFMT, value: type })

/**
 * Calls that need `capability`: the filter's conditions (each rule ANDs its
 * own, one per argument, as libseccomp allows; rules OR) select a superset,
 * and `needs` (the call's arguments, in the supervisor) decides exactly.
 */
interface Watch {
  readonly capability: number
  readonly syscalls: ReadonlyArray<string>
  readonly rules: ReadonlyArray<ReadonlyArray<ArgJson>>
  readonly needs?: (args: ReadonlyArray<bigint>) => boolean
}

/** An id change: some of `indexes` names an id that is neither the child's own nor "unchanged". */
const idChange = (capability: number, syscalls: ReadonlyArray<string>, indexes: ReadonlyArray<number>, own: number): Watch => ({
  capability,
  syscalls,
  rules: indexes.map((index) => [notOwn(index, own)]),
  needs: (args) => indexes.some((index) => {
    const value = low32(args[index] ?? 0n)
    return value !== BigInt(own) && value !== unchanged
  })
})

const watches = (child: WatchedChild): ReadonlyArray<Watch> => [
  // setuid(-1) is EINVAL, not a change: the exact check leaves it out like the others' "unchanged".
  idChange(cap("CAP_SETUID"), ["setuid"], [0], child.uid),
  idChange(cap("CAP_SETUID"), ["setreuid"], [0, 1], child.uid),
  idChange(cap("CAP_SETUID"), ["setresuid"], [0, 1, 2], child.uid),
  idChange(cap("CAP_SETGID"), ["setgid"], [0], child.gid),
  idChange(cap("CAP_SETGID"), ["setregid"], [0, 1], child.gid),
  idChange(cap("CAP_SETGID"), ["setresgid"], [0, 1, 2], child.gid),
  { capability: cap("CAP_SETGID"), syscalls: ["setgroups"], rules: [[]] },
  idChange(cap("CAP_CHOWN"), ["chown", "lchown", "fchown"], [1], child.uid),
  idChange(cap("CAP_CHOWN"), ["fchownat"], [2], child.uid),
  { capability: cap("CAP_MKNOD"), syscalls: ["mknod"], rules: [[fileType(1, constants.S_IFCHR)], [fileType(1, constants.S_IFBLK)]] },
  { capability: cap("CAP_MKNOD"), syscalls: ["mknodat"], rules: [[fileType(2, constants.S_IFCHR)], [fileType(2, constants.S_IFBLK)]] },
  { capability: cap("CAP_SYS_CHROOT"), syscalls: ["chroot"], rules: [[]] },
  { capability: cap("CAP_SYS_ADMIN"), syscalls: ["mount", "umount2", "pivot_root", "fsopen", "fsmount", "fspick", "move_mount", "sethostname", "setdomainname", "swapon", "swapoff"], rules: [[]] },
  {
    capability: cap("CAP_NET_RAW"),
    syscalls: ["socket"],
    rules: [
      [{ index: 0, op: "==", value: constants.AF_PACKET }],
      ...[constants.AF_INET, constants.AF_INET6].map((family) => [
        { index: 0, op: "==", value: family }, { index: 1, op: "masked==", mask: "0xf", value: constants.SOCK_RAW }
      ] satisfies ReadonlyArray<ArgJson>)
    ]
  },
  { capability: cap("CAP_SYS_BOOT"), syscalls: ["reboot", "kexec_load", "kexec_file_load"], rules: [[]] },
  { capability: cap("CAP_SYS_MODULE"), syscalls: ["init_module", "finit_module", "delete_module"], rules: [[]] },
  { capability: cap("CAP_SYS_TIME"), syscalls: ["settimeofday", "clock_settime"], rules: [[]] },
  // Lowering the I/O privilege level or clearing port bits needs nothing.
  { capability: cap("CAP_SYS_RAWIO"), syscalls: ["iopl"], rules: [[{ index: 0, op: "!=", value: 0 }]] },
  { capability: cap("CAP_SYS_RAWIO"), syscalls: ["ioperm"], rules: [[{ index: 2, op: "!=", value: 0 }]] },
  { capability: cap("CAP_SYS_PACCT"), syscalls: ["acct"], rules: [[]] }
]

/** The handler key of every watch rule. */
const handlerKey = "capability"

/**
 * The watch for one child: its policy (the same object for the same child,
 * so it compiles once) and, by syscall name, the capability a call needs and
 * the exact test of its arguments.
 *
 * @example
 * ```ts
 * import { capabilityWatch } from "./capability-watch.ts"
 *
 * const watch = capabilityWatch({ uid: 65534, gid: 65534, keep: [] })
 * watch.calls.get("setuid")?.capability // 7: CAP_SETUID
 * ```
 */
export interface CapabilityWatch {
  readonly json: PolicyJson
  readonly policy: Policy
  readonly calls: ReadonlyMap<string, Watch>
}

const known = new Map<string, CapabilityWatch>()

/**
 * The watch of `child` (cached by its ids and kept capabilities).
 *
 * @example
 * ```ts
 * import { capabilityWatch } from "./capability-watch.ts"
 *
 * capabilityWatch({ uid: 0, gid: 0, keep: [21] }).calls.has("mount") // false: CAP_SYS_ADMIN is kept
 * ```
 */
export const capabilityWatch = (child: WatchedChild): CapabilityWatch => {
  const key = `${child.uid}:${child.gid}:${[...child.keep].sort((a, b) => a - b).join(",")}`
  const cached = known.get(key)
  if (cached !== undefined) return cached
  const kept = watches(child).filter((watch) => !child.keep.includes(watch.capability))
  const rules: ReadonlyArray<RuleJson> = kept.flatMap((watch) => watch.rules.map((args) => ({
    action: "notify", handler: handlerKey, syscalls: watch.syscalls, ...(args.length === 0 ? {} : { args }), comment: capabilityLabel(watch.capability)
  })))
  // No no_new_privs attribute of its own: the identity steps set it; the floor is the user's policy's business.
  const json: PolicyJson = { default: "allow", rules, attributes: { noNewPrivs: false }, floor: false }
  const watch: CapabilityWatch = { json, policy: makePolicy(json), calls: new Map(kept.flatMap((watch) => watch.syscalls.map((name) => [name, watch] as const))) }
  known.set(key, watch)
  return watch
}

/**
 * A call the watch refused: its syscall, the capability it needed, the caller.
 *
 * @example
 * ```ts
 * import type { RefusedCall } from "./capability-watch.ts"
 *
 * const call: RefusedCall = { syscall: "setuid", capability: "CAP_SETUID", pid: 4242 }
 * ```
 */
export interface RefusedCall {
  readonly syscall: string
  readonly capability: string
  readonly pid: number
}

/** The user namespace of `pid` ("user:[4026531837]"), or undefined when it is gone. */
const userNamespace = (kernel: Kernel, pid: number): string | undefined => {
  const buffer = memory(64)
  const length = Number(kernel.syscall("readlinkat", constants.AT_FDCWD, pathMemory(`/proc/${pid}/ns/user`), buffer, buffer.byteLength))
  return length < 0 ? undefined : new TextDecoder().decode(buffer.subarray(0, length))
}

/**
 * Serves the watch's listener for a launching child, recording each call that
 * needs a capability the child lacks in `refused`. The child's own user namespace is read when it says it
 * installs the listener (it is then past its namespace steps and waits for
 * the supervisor, so its pid is its own).
 *
 * @example
 * ```ts
 * import { capabilityWatch, superviseWatch, type RefusedCall } from "./capability-watch.ts"
 * import type { Kernel } from "../../core/host/kernel.ts"
 * import type { LaunchingChild } from "../../core/plugin.ts"
 *
 * declare const child: LaunchingChild
 * declare const kernel: Kernel
 * const refused: Array<RefusedCall> = []
 * const serve = superviseWatch(capabilityWatch({ uid: 65534, gid: 65534, keep: [] }), child, kernel, refused)
 * ```
 */
export const superviseWatch = (watch: CapabilityWatch, child: LaunchingChild, kernel: Kernel, refused: Array<RefusedCall>): Effect.Effect<void, NotifyError, SeccompLibrary> => {
  let own: string | undefined
  child.whenInstallingListener(() => {
    own = userNamespace(kernel, child.pid)
  })
  const handler = (call: Notification) => {
    const watched = watch.calls.get(call.name)
    const needed = watched !== undefined && (watched.needs === undefined || watched.needs(call.args))
    // The caller is blocked in the call, so its pid is its own while this reads it.
    if (needed && own !== undefined && refused.length < maxRecorded && userNamespace(kernel, call.pid) === own) {
      refused.push({ syscall: call.name, capability: capabilityLabel(watched.capability), pid: call.pid })
    }
    return answer.allow()
  }
  return superviseChild(child, watch.policy, { [handlerKey]: handler }, {})
}

/** A child that loops on a refused call must not grow the supervisor without bound. */
const maxRecorded = 64

/**
 * The exit diagnosis for the calls the watch refused, first call first; none when nothing was refused.
 *
 * @example
 * ```ts
 * import { diagnoseRefused } from "./capability-watch.ts"
 *
 * diagnoseRefused([{ syscall: "setuid", capability: "CAP_SETUID", pid: 7 }])?.message
 * // 'A call failed for lack of a capability: "setuid" needs CAP_SETUID, which the child does not hold'
 * ```
 */
export const diagnoseRefused = (refused: ReadonlyArray<RefusedCall>): CapabilityDiagnosis | undefined => {
  const [first] = refused
  if (first === undefined) return undefined
  const others = [...new Set(refused.slice(1).map((call) => `"${call.syscall}" (${call.capability})`))].filter((text) => text !== `"${first.syscall}" (${first.capability})`)
  return {
    cause: "capability",
    message: `A call failed for lack of a capability: "${first.syscall}" needs ${first.capability}, which the child does not hold${others.length === 0 ? "" : `; also ${others.join(", ")}`}`,
    syscall: first.syscall,
    capability: first.capability,
    calls: refused
  }
}
