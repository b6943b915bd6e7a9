/**
 * The words of Docker/OCI profiles and what they mean to kakoi: `SCMP_ACT_*`
 * actions, `SCMP_CMP_*` operators and `SCMP_ARCH_*` architectures (libseccomp's
 * names, as libseccomp-golang and the OCI runtime spec spell them), and Go's
 * architecture names, which moby's `includes`/`excludes` compare against.
 */
import type { ActionInput, CompareOperator, Operator } from "../model.ts"

/**
 * `SCMP_ACT_*` → kakoi's action names; ERRNO and TRACE take `errnoRet`. SCMP_ACT_KILL is libseccomp's kill-thread.
 *
 * @example
 * ```ts
 * import { ociActions } from "./oci-names.ts"
 *
 * ociActions.SCMP_ACT_KILL_PROCESS // "kill"
 * ociActions.SCMP_ACT_KILL // "kill-thread"
 * ```
 */
export const ociActions: Readonly<Record<string, ActionInput | "errno" | "trace">> = {
  SCMP_ACT_KILL: "kill-thread",
  SCMP_ACT_KILL_THREAD: "kill-thread",
  SCMP_ACT_KILL_PROCESS: "kill",
  SCMP_ACT_TRAP: "trap",
  SCMP_ACT_ERRNO: "errno",
  SCMP_ACT_TRACE: "trace",
  SCMP_ACT_ALLOW: "allow",
  SCMP_ACT_LOG: "log",
  SCMP_ACT_NOTIFY: "notify"
}

/**
 * `SCMP_CMP_*` → kakoi's operators.
 *
 * @example
 * ```ts
 * import { ociOperators } from "./oci-names.ts"
 *
 * ociOperators.SCMP_CMP_MASKED_EQ // "masked=="
 * ```
 */
export const ociOperators: Readonly<Record<string, Operator>> = {
  SCMP_CMP_NE: "!=",
  SCMP_CMP_LT: "<",
  SCMP_CMP_LE: "<=",
  SCMP_CMP_EQ: "==",
  SCMP_CMP_GE: ">=",
  SCMP_CMP_GT: ">",
  SCMP_CMP_MASKED_EQ: "masked=="
}

/**
 * kakoi's operators → `SCMP_CMP_*`.
 *
 * @example
 * ```ts
 * import { operatorWords } from "./oci-names.ts"
 *
 * operatorWords["=="] // "SCMP_CMP_EQ"
 * ```
 */
export const operatorWords: Readonly<Record<CompareOperator | "masked==", string>> = Object.fromEntries(
  Object.entries(ociOperators).map(([word, operator]) => [operator, word])
) as Record<Operator, string>

/**
 * `SCMP_ARCH_*` → libseccomp's architecture names (kakoi's `arches`).
 *
 * @example
 * ```ts
 * import { ociArches } from "./oci-names.ts"
 *
 * ociArches.SCMP_ARCH_X86_64 // "x86_64"
 * ```
 */
export const ociArches: Readonly<Record<string, string>> = {
  SCMP_ARCH_X86: "x86",
  SCMP_ARCH_X86_64: "x86_64",
  SCMP_ARCH_X32: "x32",
  SCMP_ARCH_ARM: "arm",
  SCMP_ARCH_AARCH64: "aarch64",
  SCMP_ARCH_MIPS: "mips",
  SCMP_ARCH_MIPS64: "mips64",
  SCMP_ARCH_MIPS64N32: "mips64n32",
  SCMP_ARCH_MIPSEL: "mipsel",
  SCMP_ARCH_MIPSEL64: "mipsel64",
  SCMP_ARCH_MIPSEL64N32: "mipsel64n32",
  SCMP_ARCH_PPC: "ppc",
  SCMP_ARCH_PPC64: "ppc64",
  SCMP_ARCH_PPC64LE: "ppc64le",
  SCMP_ARCH_S390: "s390",
  SCMP_ARCH_S390X: "s390x",
  SCMP_ARCH_PARISC: "parisc",
  SCMP_ARCH_PARISC64: "parisc64",
  SCMP_ARCH_RISCV64: "riscv64",
  SCMP_ARCH_LOONGARCH64: "loongarch64"
}

/**
 * libseccomp's architecture names → `SCMP_ARCH_*`.
 *
 * @example
 * ```ts
 * import { archWords } from "./oci-names.ts"
 *
 * archWords.x86_64 // "SCMP_ARCH_X86_64"
 * ```
 */
export const archWords: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ociArches).map(([word, name]) => [name, word]))

/**
 * libseccomp's name of the native architecture → Go's `runtime.GOARCH`, what moby matches `arches` with.
 *
 * @example
 * ```ts
 * import { goArches } from "./oci-names.ts"
 *
 * goArches.x86_64 // "amd64"
 * ```
 */
export const goArches: Readonly<Record<string, string>> = {
  x86_64: "amd64", x86: "386", aarch64: "arm64", arm: "arm", ppc64le: "ppc64le", ppc64: "ppc64", s390x: "s390x",
  riscv64: "riscv64", mips: "mips", mipsel: "mipsle", mips64: "mips64", mipsel64: "mips64le", loongarch64: "loong64"
}

/**
 * Architecture words profiles use in `includes`/`excludes`: Go's names plus the ABI names moby's own profile lists.
 *
 * @example
 * ```ts
 * import { filterArches } from "./oci-names.ts"
 *
 * filterArches.includes("amd64") && filterArches.includes("x32") // true
 * ```
 */
export const filterArches: ReadonlyArray<string> = [...new Set([...Object.values(goArches), "x86", "x32", "s390", "mips64n32", "mipsel64n32", "loongarch64"])]

/**
 * The `SECCOMP_FILTER_FLAG_*` words of the OCI spec.
 *
 * @example
 * ```ts
 * import { ociFlags } from "./oci-names.ts"
 *
 * ociFlags.includes("SECCOMP_FILTER_FLAG_LOG") // true
 * ```
 */
export const ociFlags: ReadonlyArray<string> = [
  "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
]
