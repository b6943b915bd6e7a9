/**
 * Linux capability names and bit numbers (include/uapi/linux/capability.h),
 * for the `caps` of Docker/OCI profiles' `includes` and `excludes`, and the
 * capability masks of /proc/PID/status.
 */

/**
 * Capability names in bit order, as capabilities(7) spells them: the index is the capability's number.
 *
 * @example
 * ```ts
 * import { capabilityConstants } from "./capabilities.ts"
 *
 * capabilityConstants[21] // "CAP_SYS_ADMIN"
 * ```
 */
export const capabilityConstants = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
  "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"
] as const

/**
 * A capability as capabilities(7) names it.
 *
 * @example
 * ```ts
 * import type { CapabilityConstant } from "./capabilities.ts"
 *
 * const cap: CapabilityConstant = "CAP_NET_BIND_SERVICE"
 * ```
 */
export type CapabilityConstant = (typeof capabilityConstants)[number]

/**
 * The same names as plain strings, for lookups of what a profile says.
 *
 * @example
 * ```ts
 * import { capabilityNames } from "./capabilities.ts"
 *
 * capabilityNames.indexOf("CAP_SYS_ADMIN") // 21
 * ```
 */
export const capabilityNames: ReadonlyArray<string> = capabilityConstants

/**
 * The capability names of a hexadecimal mask as /proc/PID/status prints it
 * (`CapEff:	000001fffeffffff`); bits above the last known capability are ignored.
 *
 * @example
 * ```ts
 * import { capabilitiesOf } from "./capabilities.ts"
 *
 * capabilitiesOf("0000000000200000") // ["CAP_SYS_ADMIN"]
 * ```
 */
export const capabilitiesOf = (hex: string): ReadonlyArray<string> => {
  const mask = BigInt(`0x${hex}`)
  return capabilityNames.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n)
}
