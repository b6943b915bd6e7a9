/**
 * The fence steps: what the child does between clone and execve to enter its
 * namespaces, mounts, identity, cgroup and Landlock domain. Plain data, like
 * the PreExecSteps of core/steps.ts (which they join once the native launcher
 * can run them; today's runtime launcher cannot, since a multi-threaded
 * process may not unshare a user or mount namespace). core/fence-calls.ts
 * spells each step as the raw syscalls the launcher's compiler emits.
 *
 * Order matters and is fixed by `fencePhase`, not by the order plugins give:
 * 1. join-cgroup: while the child still has the supervisor's credentials
 *    (the supervisor opened cgroup.procs; the write is checked against the
 *    opener) and before a cgroup namespace would make the new cgroup its root.
 * 2. unshare, then id-map at once: until the maps are written the child has
 *    no uid in its user namespace and most calls fail with EOVERFLOW/EPERM.
 *    A process may write its own maps only once, one line mapping its own
 *    euid/egid, and gid_map only after "deny" in setgroups; richer maps are
 *    written by the supervisor from outside (`writer: "supervisor"`), which
 *    needs a clone without CLONE_VFORK and a go-ahead byte on the control
 *    channel, as the notify handshake does.
 * 3. pid-init: a new pid namespace applies to the children of the caller, so
 *    after unshare(CLONE_NEWPID) the interpreter forks; the first child is
 *    pid 1 of the namespace and runs the rest. (Or the clone itself carries
 *    CLONE_NEWPID and the launcher process is pid 1.) Mounting /proc must
 *    happen in the new pid namespace, so after this.
 * 4. mounts (need CAP_SYS_ADMIN in the mount namespace's user namespace):
 *    propagation private first, then binds, attributes, tmpfs, pivot_root.
 *    Before Landlock: a Landlock domain denies every mount change.
 * 5. hostname and loopback (CAP_SYS_ADMIN / CAP_NET_ADMIN in the new UTS and
 *    network namespaces), before any identity change drops them.
 * 6. drop-bounding (needs CAP_SETPCAP), then groups (setgroups needs
 *    CAP_SETGID), then ids (setresgid before setresuid: after setresuid to a
 *    non-zero uid CAP_SETGID is gone), then clear-capabilities (what a uid-0
 *    child still holds).
 * 7. landlock-restrict last of the fences: it needs no_new_privs (or
 *    CAP_SYS_ADMIN) and freezes mounts; the seccomp installs follow it, so a
 *    strict filter need not allow landlock_restrict_self.
 */
import type { Namespace } from "./fence-namespaces.ts"

export type { Namespace } from "./fence-namespaces.ts"

/**
 * One line of a uid_map or gid_map: `count` ids from `inside` map to `outside`.
 *
 * @example
 * ```ts
 * import type { IdMapping } from "./fence-steps.ts"
 *
 * const root: IdMapping = { inside: 0, outside: 1000, count: 1 }
 * ```
 */
export interface IdMapping {
  readonly inside: number
  readonly outside: number
  readonly count: number
}

/**
 * The steps; 64-bit flags are bigint. Parent fds (`rulesetFd`, `procsFd`) are
 * the supervisor's numbers: the compiler passes them through the fd phase
 * (dup3 to a fixed number above the control channel, close-on-exec) and
 * closes them after use.
 *
 * @example
 * ```ts
 * import type { FenceStep } from "./fence-steps.ts"
 *
 * const steps: ReadonlyArray<FenceStep> = [
 *   { kind: "unshare", namespaces: ["user", "uts"] },
 *   { kind: "id-map", writer: "self", uid: [{ inside: 0, outside: 1000, count: 1 }], gid: [{ inside: 0, outside: 1000, count: 1 }] },
 *   { kind: "hostname", name: "sandbox" }
 * ]
 * ```
 */
export type FenceStep =
  | { readonly kind: "join-cgroup"; readonly procsFd: number; readonly path: string }
  | { readonly kind: "unshare"; readonly namespaces: ReadonlyArray<Namespace> }
  | {
    readonly kind: "id-map"
    readonly writer: "self" | "supervisor"
    readonly uid: ReadonlyArray<IdMapping>
    readonly gid: ReadonlyArray<IdMapping>
  }
  /** Become pid 1's child in the new pid namespace; see `pidInitAlgorithm`. */
  | { readonly kind: "pid-init"; readonly forwardSignals: ReadonlyArray<number> }
  | {
    readonly kind: "mount"
    readonly source: string | undefined
    readonly target: string
    readonly fstype: string | undefined
    readonly flags: bigint
    readonly data: string | undefined
  }
  /** mount_setattr: set and clear MOUNT_ATTR_* bits on the mount at `path` (and below, when recursive). */
  | { readonly kind: "mount-attributes"; readonly path: string; readonly recursive: boolean; readonly set: bigint; readonly clear: bigint }
  /** Something to mount on: a directory (mkdir, EEXIST is fine) or an empty file (for a file bind). */
  | { readonly kind: "mount-point"; readonly path: string; readonly type: "directory" | "file" }
  | { readonly kind: "symlink"; readonly target: string; readonly path: string }
  /**
   * A fresh tmpfs at `target` that carries copies of host mounts into it: each `carry` source is
   * cloned with open_tree before the tmpfs covers it (a bind from beneath the target would
   * otherwise find only the empty tmpfs), then moved onto `path` inside. `directories` (relative,
   * parents first) and `links` are made inside; `readOnly` seals the tmpfs itself afterwards.
   * A minimal /dev is one of these: /dev/null, zero, ... carried, fd/stdin/... linked.
   */
  | {
    readonly kind: "tmpfs"
    readonly target: string
    readonly flags: bigint
    readonly data: string
    readonly carry: ReadonlyArray<{ readonly source: string; readonly path: string; readonly type: "directory" | "file" }>
    readonly directories: ReadonlyArray<string>
    readonly links: ReadonlyArray<{ readonly target: string; readonly path: string }>
    readonly readOnly: boolean
  }
  /** Make `newRoot` (a mount) the root and detach the old one: chdir, pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/"). */
  | { readonly kind: "pivot-root"; readonly newRoot: string }
  | { readonly kind: "hostname"; readonly name: string }
  | { readonly kind: "loopback-up" }
  /** Drop every capability not in `keep` from the bounding set (0 .. lastCap, the kernel's cap_last_cap). */
  | { readonly kind: "drop-bounding"; readonly keep: ReadonlyArray<number>; readonly lastCap: number }
  | { readonly kind: "groups"; readonly groups: ReadonlyArray<number> }
  | { readonly kind: "ids"; readonly uid: number; readonly gid: number }
  /** Clear the ambient set and set effective = permitted = `keep`, inheritable = none. */
  | { readonly kind: "clear-capabilities"; readonly keep: ReadonlyArray<number> }
  | { readonly kind: "landlock-restrict"; readonly rulesetFd: number; readonly flags: number }

/**
 * A step's kind.
 *
 * @example
 * ```ts
 * import type { FenceStepKind } from "./fence-steps.ts"
 *
 * const kind: FenceStepKind = "loopback-up"
 * ```
 */
export type FenceStepKind = FenceStep["kind"]

/**
 * The phase of each kind (see the module doc for why); steps run by phase,
 * in the order given within one phase.
 *
 * @example
 * ```ts
 * import { fencePhase } from "./fence-steps.ts"
 *
 * fencePhase.unshare < fencePhase["landlock-restrict"] // true
 * ```
 */
export const fencePhase: Readonly<Record<FenceStepKind, number>> = {
  "join-cgroup": 1, unshare: 2, "id-map": 3, "pid-init": 4,
  mount: 5, "mount-attributes": 5, "mount-point": 5, symlink: 5, tmpfs: 5, "pivot-root": 5,
  hostname: 6, "loopback-up": 6,
  "drop-bounding": 7, groups: 8, ids: 9, "clear-capabilities": 10,
  "landlock-restrict": 11
}

/**
 * The steps in the order the child must run them: by phase, stable within one.
 *
 * @example
 * ```ts
 * import { orderFenceSteps } from "./fence-steps.ts"
 *
 * orderFenceSteps([{ kind: "hostname", name: "h" }, { kind: "unshare", namespaces: ["uts"] }]).map((step) => step.kind)
 * // ["unshare", "hostname"]
 * ```
 */
export const orderFenceSteps = (steps: ReadonlyArray<FenceStep>): ReadonlyArray<FenceStep> =>
  steps.map((step, index) => ({ step, index }))
    .sort((a, b) => fencePhase[a.step.kind] - fencePhase[b.step.kind] || a.index - b.index)
    .map(({ step }) => step)

/**
 * What the interpreter does for "pid-init", which is control flow rather
 * than a flat list of calls. As sentences, for the launcher's authors and the
 * README.
 *
 * @example
 * ```ts
 * import { pidInitAlgorithm } from "./fence-steps.ts"
 *
 * pidInitAlgorithm.length > 0 // true
 * ```
 */
export const pidInitAlgorithm: ReadonlyArray<string> = [
  "fork (clone(SIGCHLD) without CLONE_VM: the child must not share the block with the init); the child returns to the program and runs the remaining steps and execve",
  "the parent is pid 1 of the namespace: it blocks every signal in forwardSignals, keeps fd 3 (the control channel) and closes the rest",
  "it loops on rt_sigtimedwait/waitid: a forwarded signal is sent on with kill(target, sig); every exited child is reaped (wait4(-1, WNOHANG) until 0)",
  "when the target exits, it writes the target's wait status as a record on fd 3 (a namespace's init cannot die of a signal it sends itself, so a signal death reaches the supervisor as data) and calls exit_group with the target's code, or 128+signal",
  "when pid 1 exits, the kernel SIGKILLs everything left in the namespace: no process outlives the child",
  "PR_SET_PDEATHSIG is set again in the forked child (fork clears it) and the init keeps its own, so a SIGKILLed supervisor ends the namespace"
]
