/**
 * The mounts() plugin's options, decoded strictly:
 *
 *   { root: "read-only-host" | "empty",   // the host's tree read-only, or an empty tmpfs root
 *     readOnly: [...],                     // host paths bound read-only (the whole tree with "empty")
 *     writable: [...],                     // host paths bound writable
 *     tmpfs: ["/tmp"],                     // private empty tmpfs at these paths
 *     hide: ["~/.ssh"],                    // an empty read-only tmpfs over a directory, /dev/null over a file
 *     proc: false,                         // a fresh /proc (needs the child's own pid namespace)
 *     dev: "host" | "minimal" }            // a /dev with null, zero, full, random, urandom, tty only
 */
import type { Result } from "effect"
import { absolutePath, at, decoded, flag, list, oneOf, type Place, record, reject } from "../decode.ts"
import type { FenceError } from "../errors.ts"

/**
 * Options as users write them.
 *
 * @example
 * ```ts
 * import type { MountsOptions } from "./options.ts"
 *
 * const options: MountsOptions = { root: "read-only-host", writable: ["/tmp/job-42"], tmpfs: ["/tmp"], hide: ["~/.ssh"] }
 * ```
 */
export interface MountsOptions {
  readonly root?: "read-only-host" | "empty"
  readonly readOnly?: ReadonlyArray<string>
  readonly writable?: ReadonlyArray<string>
  readonly tmpfs?: ReadonlyArray<string>
  readonly hide?: ReadonlyArray<string>
  readonly proc?: boolean
  readonly dev?: "host" | "minimal"
}

/**
 * Decoded options: every path absolute and normalised.
 *
 * @example
 * ```ts
 * import type { MountsConfig } from "./options.ts"
 *
 * const config: MountsConfig = { root: "read-only-host", readOnly: [], writable: ["/tmp/job"], tmpfs: ["/tmp"], hide: [], proc: false, dev: "host" }
 * ```
 */
export interface MountsConfig {
  readonly root: "read-only-host" | "empty"
  readonly readOnly: ReadonlyArray<string>
  readonly writable: ReadonlyArray<string>
  readonly tmpfs: ReadonlyArray<string>
  readonly hide: ReadonlyArray<string>
  readonly proc: boolean
  readonly dev: "host" | "minimal"
}

const paths = (value: unknown, place: Place, home: string | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : list(value, place, (item, where) => absolutePath(item, where, home))

/**
 * Decodes mounts() options; a path given twice with different meanings is refused.
 *
 * @example
 * ```ts
 * import { decodeMounts } from "./options.ts"
 *
 * decodeMounts({ writable: ["/tmp/job"], tmpfs: ["/tmp/job"] }, undefined)
 * // Failure: Invalid mounts option at tmpfs[0]: "/tmp/job" is already writable[0]
 * ```
 */
export const decodeMounts = (input: unknown, home: string | undefined, place: Place = { fence: "mounts", path: "" }): Result.Result<MountsConfig, FenceError> =>
  decoded(() => {
    const fields = record(input, place, ["root", "readOnly", "writable", "tmpfs", "hide", "proc", "dev"])
    const config: MountsConfig = {
      root: fields.root === undefined ? "read-only-host" : oneOf(fields.root, at(place, "root"), ["read-only-host", "empty"] as const),
      readOnly: paths(fields.readOnly, at(place, "readOnly"), home),
      writable: paths(fields.writable, at(place, "writable"), home),
      tmpfs: paths(fields.tmpfs, at(place, "tmpfs"), home),
      hide: paths(fields.hide, at(place, "hide"), home),
      proc: fields.proc === undefined ? false : flag(fields.proc, at(place, "proc")),
      dev: fields.dev === undefined ? "host" : oneOf(fields.dev, at(place, "dev"), ["host", "minimal"] as const)
    }
    const seen = new Map<string, string>()
    for (const key of ["readOnly", "writable", "tmpfs", "hide"] as const) {
      config[key].forEach((path, index) => {
        const earlier = seen.get(path)
        if (earlier !== undefined) reject(at(at(place, key), index), `"${path}" is already ${earlier}`, "give each path one meaning")
        seen.set(path, `${key}[${index}]`)
      })
    }
    if (config.root === "read-only-host" && config.readOnly.length > 0) {
      reject(at(place, "readOnly"), 'with root "read-only-host" every path is read-only already', 'leave readOnly out, or use root: "empty" to show only the paths listed')
    }
    if (config.root === "empty" && config.proc === false && config.dev === "host") {
      reject(at(place, "dev"), 'an "empty" root has no host /dev to keep', 'use dev: "minimal"')
    }
    return config
  })
