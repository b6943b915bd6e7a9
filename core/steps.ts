/**
 * preExec steps: the closed set of things the child program does between
 * clone and execve (core/program compiles each kind to syscalls; a kind
 * without a compile rule is a type error there). Plugins contribute them as
 * plain data; `orderSteps` fixes when each kind runs, whatever order the
 * plugins gave (`stepPhase`, and why, below).
 *
 * 64-bit quantities are bigint. Supervisor fds a step names (`rulesetFd`,
 * `procsFd`) are the parent's numbers (>= 10): the program carries them
 * through its fd phase and closes them once used.
 */
import { rlimitResource } from "./arch/generic.ts"

/**
 * Resources `setrlimit(2)` knows, by their lower-case Linux names.
 *
 * @example
 * ```ts
 * import type { RlimitResource } from "kakoi/rlimit"
 *
 * const limited: ReadonlyArray<RlimitResource> = ["nofile", "nproc", "as"]
 * ```
 */
export type RlimitResource =
  | "cpu" | "fsize" | "data" | "stack" | "core" | "rss" | "nproc" | "nofile"
  | "memlock" | "as" | "locks" | "sigpending" | "msgqueue" | "nice" | "rtprio" | "rttime"

/**
 * What a Landlock domain confines (ABI 6): signals to, and abstract unix sockets of, processes outside it.
 *
 * @example
 * ```ts
 * const scopes: ReadonlyArray<LandlockScope> = ["signal", "abstract-unix-socket"]
 * ```
 */
export type LandlockScope = "signal" | "abstract-unix-socket"

/**
 * `RLIM_INFINITY`, spelled out.
 *
 * @example
 * ```ts
 * import type { RlimitValue } from "./steps.ts"
 *
 * const values: Array<RlimitValue> = [1024n, "unlimited"]
 * ```
 */
export type RlimitValue = bigint | "unlimited"

/**
 * A namespace the child unshares after its user namespace's maps (the user
 * and pid namespaces come from the clone itself: "user-namespace", "pid-namespace").
 *
 * @example
 * ```ts
 * const namespace: UnsharedNamespace = "network"
 * ```
 */
export type UnsharedNamespace = "mount" | "network" | "uts" | "ipc" | "cgroup"

/**
 * Something to mount on: a directory (mkdir, an existing one is fine) or an empty file (for a file bind).
 *
 * @example
 * ```ts
 * const kind: MountPointType = "file"
 * ```
 */
export type MountPointType = "directory" | "file"

/**
 * One step. Kinds by phase (`stepPhase`): join-cgroup; user-namespace;
 * unshare; pid-namespace; the mount kinds; hostname, loopback-up; the
 * identity kinds; rlimit, chdir, umask, setsid, no-new-privs; landlock; seccomp.
 *
 * @example
 * ```ts
 * const steps: ReadonlyArray<PreExecStep> = [
 *   { kind: "unshare", namespaces: ["uts"] },
 *   { kind: "hostname", name: "sandbox" },
 *   { kind: "chdir", path: "/" }
 * ]
 * ```
 */
export type PreExecStep =
  | { readonly kind: "rlimit"; readonly resource: RlimitResource; readonly soft: RlimitValue; readonly hard: RlimitValue }
  | { readonly kind: "chdir"; readonly path: string }
  | { readonly kind: "umask"; readonly mask: number }
  | { readonly kind: "setsid" }
  | { readonly kind: "no-new-privs" }
  /**
   * Join a cgroup: write "0" to its cgroup.procs, which the supervisor opened
   * (`procsFd`; the kernel checks the opener's rights, so this works from a
   * user namespace too). First of all steps, so the init and the target are
   * both in it and a cgroup namespace would be rooted there. `path` names it in errors.
   */
  | { readonly kind: "join-cgroup"; readonly procsFd: number; readonly path: string }
  /**
   * The child runs in a new user namespace (the adapter clones it with
   * CLONE_NEWUSER: `ChildProgram.cloneFlags`) and writes its own maps first:
   * "deny" to /proc/self/setgroups, then `uidMap` and `gidMap` (the kernel's
   * "inside outside count" lines; unprivileged, only one line mapping its own
   * euid/egid). Several steps may ask for it; they must agree, but a step
   * with `anyMap` (the supervisor's own ids mapped to themselves, asked only
   * to make other namespaces possible without privilege) gives way to one
   * that maps the ids on purpose.
   */
  | { readonly kind: "user-namespace"; readonly uidMap: string; readonly gidMap: string; readonly anyMap?: true }
  /** New namespaces of these kinds (one unshare(2) for every such step together), owned by the user namespace if any. */
  | { readonly kind: "unshare"; readonly namespaces: ReadonlyArray<UnsharedNamespace> }
  /**
   * The child is pid 1 of a new pid namespace (CLONE_NEWPID in `cloneFlags`)
   * and becomes its minimal init: it starts the target as its child, reaps
   * orphans, forwards every signal it gets to the target, and reports the
   * target's wait status on the control channel before it exits, which makes
   * the kernel kill everything left in the namespace. Needs a "landlock" step
   * as well (the init shares the supervisor's memory; the domain keeps the
   * target from ptracing it): the program compiler refuses it alone.
   */
  | { readonly kind: "pid-namespace" }
  /** mount(2); undefined source, fstype or data are NULL. */
  | {
    readonly kind: "mount"
    readonly source: string | undefined
    readonly target: string
    readonly fstype: string | undefined
    readonly flags: bigint
    readonly data: string | undefined
  }
  /** mount_setattr(2): set and clear MOUNT_ATTR_* bits on the mount at `path` (and below, when recursive). */
  | { readonly kind: "mount-attributes"; readonly path: string; readonly recursive: boolean; readonly set: bigint; readonly clear: bigint }
  | { readonly kind: "mount-point"; readonly path: string; readonly type: MountPointType }
  | { readonly kind: "symlink"; readonly target: string; readonly path: string }
  /**
   * A fresh tmpfs at `target` that carries copies of mounts into it: each
   * `carry` source is cloned with open_tree before the tmpfs covers it (a bind
   * from beneath the target would otherwise find only the empty tmpfs), then
   * moved onto `path` inside. `directories` (relative, parents first) and
   * `links` are made inside; `readOnly` seals the tmpfs itself afterwards.
   * A minimal /dev is one of these: /dev/null, zero, ... carried, fd/stdin/... linked.
   */
  | {
    readonly kind: "tmpfs"
    readonly target: string
    readonly flags: bigint
    readonly data: string
    readonly carry: ReadonlyArray<{ readonly source: string; readonly path: string; readonly type: MountPointType }>
    readonly directories: ReadonlyArray<string>
    readonly links: ReadonlyArray<{ readonly target: string; readonly path: string }>
    readonly readOnly: boolean
  }
  /** Make `newRoot` (a mount) the root and detach the old one: chdir, pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/"). */
  | { readonly kind: "pivot-root"; readonly newRoot: string }
  /** sethostname(2), in the UTS namespace an "unshare" step made. */
  | { readonly kind: "hostname"; readonly name: string }
  /** Bring `lo` up (SIOCSIFFLAGS), in the network namespace an "unshare" step made. */
  | { readonly kind: "loopback-up" }
  /** Drop every capability not in `keep` from the bounding set (0 .. lastCap, the kernel's cap_last_cap). */
  | { readonly kind: "drop-bounding"; readonly keep: ReadonlyArray<number>; readonly lastCap: number }
  /** setgroups(2): the supplementary groups, exactly these (none when empty). */
  | { readonly kind: "groups"; readonly groups: ReadonlyArray<number> }
  /**
   * setresgid(gid, gid, gid) then setresuid(uid, uid, uid); `keepCapabilities`:
   * PR_SET_KEEPCAPS first, so the permitted set survives a change to a non-zero uid.
   */
  | { readonly kind: "ids"; readonly uid: number; readonly gid: number; readonly keepCapabilities?: boolean }
  /**
   * Clear the ambient set, then capset: effective = permitted = `keep`,
   * inheritable = none; `ambient`: inheritable = `keep` too, raised into the
   * ambient set, so a target that is not uid 0 still holds `keep` after execve.
   */
  | { readonly kind: "clear-capabilities"; readonly keep: ReadonlyArray<number>; readonly ambient?: boolean }
  /**
   * A Landlock domain for the target: it can then ptrace only processes
   * inside its own domain (any ABI), and with the ABI 6 scopes signal and
   * reach abstract unix sockets only there. Either the child makes a ruleset
   * of `scopes` alone, or it restricts itself with the ruleset the supervisor
   * built (plugins/sandbox/landlock: filesystem and TCP rules, scopes),
   * `rulesetFd`. Needs no_new_privs ("no-new-privs" step) or CAP_SYS_ADMIN in
   * the child's user namespace; a domain freezes the mount table, hence after
   * every mount step.
   */
  | { readonly kind: "landlock"; readonly scopes: ReadonlyArray<LandlockScope>; readonly rulesetFd?: undefined }
  | { readonly kind: "landlock"; readonly rulesetFd: number; readonly scopes?: undefined }
  /**
   * Install a classic BPF program with seccomp(2). Always run last, never with TSYNC.
   * `listener`: install with SECCOMP_FILTER_FLAG_NEW_LISTENER and hand the
   * listener to the parent (the notify handshake).
   */
  | { readonly kind: "seccomp"; readonly bpf: Uint8Array; readonly listener?: boolean }

/**
 * A step's kind.
 *
 * @example
 * ```ts
 * const kind: PreExecStepKind = "loopback-up"
 * ```
 */
export type PreExecStepKind = PreExecStep["kind"]

/**
 * When each kind runs; steps run by phase, in the order given within one.
 * 1. join-cgroup, while nothing has forked yet (the init and the target are then both in it).
 * 2. user-namespace maps at once: until they are written the child has no
 *    uid in its namespace and most calls fail with EOVERFLOW/EPERM.
 * 3. unshare the other namespaces, owned by that user namespace.
 * 4. pid-namespace: the init forks the target here; everything later is the target's.
 * 5. mounts (CAP_SYS_ADMIN in the mount namespace's owner): propagation
 *    private first, then binds, attributes, tmpfs, pivot_root, in the order given.
 * 6. hostname and lo up (CAP_SYS_ADMIN / CAP_NET_ADMIN), before identity drops them.
 * 7-10. drop-bounding (needs CAP_SETPCAP), groups (CAP_SETGID), ids (setresgid
 *    before setresuid: after a non-zero uid CAP_SETGID is gone), clear-capabilities.
 * 11. the plain steps (rlimit, chdir, umask, setsid, no-new-privs), as the target's user, inside its mounts.
 * 12. landlock: needs no_new_privs (or CAP_SYS_ADMIN) and freezes mounts.
 * 13. seccomp last, so a strict filter need not allow any call above.
 *
 * @example
 * ```ts
 * stepPhase.unshare < stepPhase.landlock // true
 * ```
 */
export const stepPhase: Readonly<Record<PreExecStepKind, number>> = {
  "join-cgroup": 1, "user-namespace": 2, unshare: 3, "pid-namespace": 4,
  mount: 5, "mount-attributes": 5, "mount-point": 5, symlink: 5, tmpfs: 5, "pivot-root": 5,
  hostname: 6, "loopback-up": 6,
  "drop-bounding": 7, groups: 8, ids: 9, "clear-capabilities": 10,
  rlimit: 11, chdir: 11, umask: 11, setsid: 11, "no-new-privs": 11,
  landlock: 12, seccomp: 13
}

/**
 * The steps in the order the child runs them: by `stepPhase`, stable within one.
 *
 * @example
 * ```ts
 * orderSteps([{ kind: "hostname", name: "h" }, { kind: "unshare", namespaces: ["uts"] }]).map((step) => step.kind)
 * // ["unshare", "hostname"]
 * ```
 */
export const orderSteps = (steps: ReadonlyArray<PreExecStep>): ReadonlyArray<PreExecStep> =>
  steps.map((step, index) => ({ step, index }))
    .sort((a, b) => stepPhase[a.step.kind] - stepPhase[b.step.kind] || a.index - b.index)
    .map(({ step }) => step)

/**
 * Linux resource numbers for setrlimit(2) (asm-generic, as on x86_64 and aarch64: core/arch).
 *
 * @example
 * ```ts
 * import { rlimitResourceNumber } from "kakoi/rlimit"
 *
 * rlimitResourceNumber.nofile // 7 (RLIMIT_NOFILE)
 * ```
 */
export const rlimitResourceNumber: Readonly<Record<RlimitResource, number>> = rlimitResource
