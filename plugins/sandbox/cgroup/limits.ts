/**
 * cgroup v2 limits as users write them (`{ memory: "512M", pids: 64, cpu: 1.5 }`)
 * and as the cgroup files want them (memory.max, memory.swap.max, pids.max,
 * cpu.max). A memory limit without `swap` also sets memory.swap.max to 0, so
 * the limit means RAM + swap and an allocation past it ends in the OOM killer
 * rather than in swapping.
 */
import { at, decoded, integer, type Place, record, reject } from "../decode.ts"
import type { FenceError } from "../errors.ts"
import type { Result } from "effect"

/**
 * Limits as written: sizes are bytes (number or bigint) or a string with a
 * binary K, M, G or T suffix; `cpu` is a number of CPUs (1.5 = one and a half).
 *
 * @example
 * ```ts
 * import type { CgroupLimitOptions } from "./limits.ts"
 *
 * const limits: CgroupLimitOptions = { memory: "512M", pids: 64, cpu: 1 }
 * ```
 */
export interface CgroupLimitOptions {
  readonly memory?: string | number | bigint
  readonly swap?: string | number | bigint
  readonly pids?: number
  readonly cpu?: number | string
}

/**
 * The control files to write and the controllers they need, in the order written.
 *
 * @example
 * ```ts
 * import type { CgroupLimits } from "./limits.ts"
 *
 * const limits: CgroupLimits = { files: [["pids.max", "64"]], controllers: ["pids"] }
 * ```
 */
export interface CgroupLimits {
  readonly files: ReadonlyArray<readonly [file: string, value: string]>
  readonly controllers: ReadonlyArray<"memory" | "pids" | "cpu">
}

const units: Readonly<Record<string, bigint>> = { "": 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n }
/** cpu.max's period: 100 ms, the kernel's default. */
const cpuPeriod = 100_000

const size = (value: unknown, place: Place): bigint => {
  if (typeof value === "bigint" && value > 0n) return value
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return BigInt(value)
  const match = typeof value === "string" ? /^(\d+)([KMGT]?)i?B?$/i.exec(value.trim()) : null
  const [digits, unit = ""] = [match?.[1], match?.[2]?.toUpperCase()]
  if (digits === undefined || BigInt(digits) === 0n) {
    return reject(place, `expected a size above 0 such as 536870912, "512M" or "2G", got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`)
  }
  return BigInt(digits) * (units[unit] ?? 1n)
}

const cpus = (value: unknown, place: Place): number => {
  const count = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value
  if (typeof count !== "number" || !Number.isFinite(count) || count <= 0 || count > 4096) {
    return reject(place, `expected a number of CPUs above 0 such as 1 or 0.5, got ${JSON.stringify(value)}`)
  }
  const quota = Math.round(count * cpuPeriod)
  return quota < 1000 ? reject(place, `${count} CPUs is below the kernel's smallest quota (1 ms per ${cpuPeriod / 1000} ms)`) : quota
}

/**
 * Decodes limits.
 *
 * @example
 * ```ts
 * import { decodeLimits } from "./limits.ts"
 *
 * decodeLimits({ memory: "512M", pids: 64 })
 * // Success({ files: [["memory.max", "536870912"], ["memory.swap.max", "0"], ["pids.max", "64"]], controllers: ["memory", "pids"] })
 * ```
 */
export const decodeLimits = (input: unknown, place: Place = { fence: "cgroup", path: "" }): Result.Result<CgroupLimits, FenceError> =>
  decoded(() => {
    const fields = record(input, place, ["memory", "swap", "pids", "cpu"])
    const files: Array<readonly [string, string]> = []
    const controllers: Array<"memory" | "pids" | "cpu"> = []
    if (fields.memory !== undefined) files.push(["memory.max", String(size(fields.memory, at(place, "memory")))])
    if (fields.swap !== undefined) files.push(["memory.swap.max", String(size(fields.swap, at(place, "swap")))])
    else if (fields.memory !== undefined) files.push(["memory.swap.max", "0"])
    if (fields.memory !== undefined || fields.swap !== undefined) controllers.push("memory")
    if (fields.pids !== undefined) {
      files.push(["pids.max", String(integer(fields.pids, at(place, "pids"), 1, 4_194_304))])
      controllers.push("pids")
    }
    if (fields.cpu !== undefined) {
      files.push(["cpu.max", `${cpus(fields.cpu, at(place, "cpu"))} ${cpuPeriod}`])
      controllers.push("cpu")
    }
    return { files, controllers }
  })

/**
 * Which limit ended a child, from its cgroup's memory.events and pids.events
 * (undefined when a file is absent): the OOM killer ran ("memory"), or a fork
 * failed at pids.max ("pids", which the kernel reports as a failed fork, not a kill).
 *
 * @example
 * ```ts
 * import { limitHit } from "./limits.ts"
 *
 * limitHit("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", undefined) // "memory"
 * limitHit(undefined, "max 12\n") // "pids"
 * ```
 */
export const limitHit = (memoryEvents: string | undefined, pidsEvents: string | undefined): "memory" | "pids" | undefined => {
  const count = (text: string | undefined, key: string): number => Number(text?.match(new RegExp(`^${key} (\\d+)$`, "m"))?.[1] ?? 0)
  if (count(memoryEvents, "oom_kill") > 0) return "memory"
  if (count(pidsEvents, "max") > 0) return "pids"
  return undefined
}
