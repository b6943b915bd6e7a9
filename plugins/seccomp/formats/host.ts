/**
 * What a Docker/OCI profile's `includes` and `excludes` are evaluated
 * against, when the caller does not say: the capabilities the child will
 * have, the running kernel's version, and the native architecture.
 *
 * The child's capabilities are taken to be the supervisor's effective set
 * (CapEff in /proc/self/status): kakoi execs the target as the same user
 * without changing capabilities, so a root supervisor's child holds these
 * after execve and an unprivileged one's holds none. (Docker evaluates the
 * container's bounding set; the two agree for the processes kakoi starts today.)
 */
import { readFileSync } from "node:fs"
import { arch, release } from "node:os"
import { PolicyError } from "../errors.ts"
import { capabilitiesOf } from "./capabilities.ts"

/**
 * A kernel version as profiles compare it (`minKernel: "4.8"`): major and minor.
 *
 * @example
 * ```ts
 * import type { KernelVersion } from "./host.ts"
 *
 * const v: KernelVersion = { major: 6, minor: 18 }
 * ```
 */
export interface KernelVersion {
  readonly major: number
  readonly minor: number
}

/**
 * Parses `major.minor` at the start of a version (`"6.18.44-fc-v669"`, `"4.8"`); undefined when it does not start so.
 *
 * @example
 * ```ts
 * import { kernelVersion } from "./host.ts"
 *
 * kernelVersion("6.18.44-fc-v669") // { major: 6, minor: 18 }
 * ```
 */
export const kernelVersion = (text: string): KernelVersion | undefined => {
  const match = /^(\d+)\.(\d+)(?:$|[.\-+_~])/.exec(text)
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) }
}

/**
 * The effective capabilities of this process, from /proc/self/status.
 *
 * @example
 * ```ts
 * import { supervisorCapabilities } from "./host.ts"
 *
 * supervisorCapabilities().includes("CAP_SYS_ADMIN") // true when run as root
 * ```
 */
export const supervisorCapabilities = (): ReadonlyArray<string> => {
  let status: string
  try {
    status = readFileSync("/proc/self/status", "utf8")
  } catch (error) {
    throw new PolicyError({
      reason: "Unsupported",
      path: undefined,
      detail: `Cannot read /proc/self/status for the capabilities the profile's includes/excludes ask about (${error instanceof Error ? error.message : String(error)}): pass them as the caps option`
    })
  }
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1]
  if (hex === undefined) throw new PolicyError({ reason: "Unsupported", path: undefined, detail: "/proc/self/status has no CapEff line: pass the capabilities as the caps option" })
  return capabilitiesOf(hex)
}

/**
 * The running kernel's version (uname release).
 *
 * @example
 * ```ts
 * import { runningKernel } from "./host.ts"
 *
 * runningKernel() // { major: 6, minor: 18 } on a 6.18 kernel
 * ```
 */
export const runningKernel = (): KernelVersion => {
  let text: string
  try {
    text = release()
  } catch (error) {
    // Deno asks for --allow-sys=osRelease here.
    throw new PolicyError({ reason: "Unsupported", path: undefined, detail: `Cannot read the kernel release for the profile's minKernel (${error instanceof Error ? error.message : String(error)}): pass the kernel option` })
  }
  const version = kernelVersion(text)
  if (version === undefined) throw new PolicyError({ reason: "Unsupported", path: undefined, detail: `Cannot read a version from the kernel release "${text}": pass the kernel option` })
  return version
}

/** Node's names of processor architectures → libseccomp's. */
const nodeArches: Readonly<Record<string, string>> = {
  x64: "x86_64", ia32: "x86", arm64: "aarch64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64",
  mips: "mips", mipsel: "mipsel", loong64: "loongarch64"
}

/**
 * The native architecture, by libseccomp's name.
 *
 * @example
 * ```ts
 * import { nativeArch } from "./host.ts"
 *
 * nativeArch() // "x86_64" on an x64 machine (Node's "x64")
 * ```
 */
export const nativeArch = (): string => nodeArches[arch()] ?? arch()
