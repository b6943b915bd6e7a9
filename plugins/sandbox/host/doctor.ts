/**
 * doctor(): hostCapabilities() of the running host in one call, in whichever
 * runtime this runs (its FFI is loaded on first use). What `kakoi doctor` prints.
 */
import { kernelFromLibc } from "../../../core/host/kernel.ts"
import { type HostCapabilities, hostCapabilities } from "./capabilities.ts"
import { systemProbe } from "./probe.ts"
import { runtimeLibc } from "./runtime-libc.js"

/**
 * What this machine offers the fences, as data (Deno needs --allow-ffi,
 * --allow-read and --allow-run for the unshare(1) attempts).
 *
 * @example
 * ```ts
 * import { doctor } from "./doctor.ts"
 *
 * const host = await doctor()
 * host.containment.level // "namespaces" where user and pid namespaces can be made
 * ```
 */
export const doctor = async (): Promise<HostCapabilities> => hostCapabilities(systemProbe(kernelFromLibc(await runtimeLibc())))
