/**
 * preExec steps: the closed set of things the launcher can do in the child
 * between its start and execve. Plugins contribute them as plain data so the
 * parent can validate and serialise them; the launcher only interprets.
 *
 * 64-bit quantities are bigint here and decimal strings on the wire.
 */

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
 * Linux resource numbers for setrlimit(2) (x86_64 / asm-generic).
 *
 * @example
 * ```ts
 * import { rlimitResourceNumber } from "kakoi/rlimit"
 *
 * rlimitResourceNumber.nofile // 7 (RLIMIT_NOFILE)
 * ```
 */
export const rlimitResourceNumber: Readonly<Record<RlimitResource, number>> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7,
  memlock: 8, as: 9, locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15
}
