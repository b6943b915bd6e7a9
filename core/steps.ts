/**
 * preExec steps: the closed set of things the launcher can do in the child
 * between its start and execve. Plugins contribute them as plain data so the
 * parent can validate and serialise them; the launcher only interprets.
 *
 * 64-bit quantities are bigint here and decimal strings on the wire.
 */
import { rlimitResource } from "./arch/generic.ts"

/**
 * Resources `setrlimit(2)` knows, by their lower-case Linux names.
 *
 * @example
 * ```ts
 * import type { RlimitResource } from "kakoi/rlimit"
 *
 * const openFiles: RlimitResource = "nofile"
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
 * import type { LandlockScope } from "./steps.ts"
 *
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
 * One thing the launcher does in the child before execve.
 *
 * @example
 * ```ts
 * import type { PreExecStep } from "./steps.ts"
 *
 * const steps: Array<PreExecStep> = [{ kind: "rlimit", resource: "nofile", soft: 64n, hard: 64n }, { kind: "chdir", path: "/tmp" }]
 * ```
 */
export type PreExecStep =
  | { readonly kind: "rlimit"; readonly resource: RlimitResource; readonly soft: RlimitValue; readonly hard: RlimitValue }
  | { readonly kind: "chdir"; readonly path: string }
  | { readonly kind: "umask"; readonly mask: number }
  | { readonly kind: "setsid" }
  | { readonly kind: "no-new-privs" }
  /**
   * The child runs in a new user namespace (the adapter clones it with
   * CLONE_NEWUSER: `ChildProgram.cloneFlags`) and writes its own maps first:
   * "deny" to /proc/self/setgroups, then `uidMap` and `gidMap` (the kernel's
   * "inside outside count" lines; unprivileged, only "0 <euid> 1").
   */
  | { readonly kind: "user-namespace"; readonly uidMap: string; readonly gidMap: string }
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
  /**
   * A Landlock domain for the target, with no file-system rules: it can then
   * ptrace only processes inside its own domain, and with the ABI 6 scopes,
   * signal and reach abstract unix sockets only there.
   */
  | { readonly kind: "landlock"; readonly scopes: ReadonlyArray<LandlockScope> }
  /**
   * Install a classic BPF program with seccomp(2). Always run last, never with TSYNC.
   * `listener`: install with SECCOMP_FILTER_FLAG_NEW_LISTENER and hand the
   * listener to the parent (the notify handshake in core/launcher.ts).
   */
  | { readonly kind: "seccomp"; readonly bpf: Uint8Array; readonly listener?: boolean }

/**
 * Order in which the launcher runs steps: everything else first, seccomp filters last.
 *
 * @example
 * ```ts
 * import { orderSteps } from "./steps.ts"
 *
 * orderSteps([{ kind: "seccomp", bpf: new Uint8Array(8) }, { kind: "setsid" }]).map((step) => step.kind) // ["setsid", "seccomp"]
 * ```
 */
export const orderSteps = (steps: ReadonlyArray<PreExecStep>): ReadonlyArray<PreExecStep> => [
  ...steps.filter((step) => step.kind !== "seccomp"),
  ...steps.filter((step) => step.kind === "seccomp")
]

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
