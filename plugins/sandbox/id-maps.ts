/**
 * The supervisor's side of an id-map step with `writer: "supervisor"`: while
 * the child waits after unshare(CLONE_NEWUSER), the supervisor writes its
 * /proc/<pid>/uid_map and gid_map from outside. From outside, with
 * CAP_SETUID/CAP_SETGID, maps may have several lines and ranges (a child
 * whose root is uid 100000, with 65536 ids), which a child can never write
 * for itself. The launcher then sends the go-ahead byte.
 */
import { Result } from "effect"
import { type Kernel, writeText } from "../../core/host/kernel.ts"
import { FenceError } from "./errors.ts"

/** One line of an id map: `count` ids from `inside` in the child's namespace are `outside` in the parent's. */
interface IdMapping {
  readonly inside: number
  readonly outside: number
  readonly count: number
}

const lines = (mappings: ReadonlyArray<IdMapping>): string =>
  mappings.map(({ inside, outside, count }) => `${inside} ${outside} ${count}\n`).join("")

/**
 * Writes a waiting child's maps: setgroups first when `denySetgroups` (needed
 * when the writer lacks CAP_SETGID over the parent namespace), then uid_map,
 * then gid_map, each in one write as the kernel requires.
 *
 * @example
 * ```ts
 * import { writeIdMaps } from "./id-maps.ts"
 * import type { Kernel } from "../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * writeIdMaps(kernel, 4242, { uid: [{ inside: 0, outside: 100000, count: 65536 }], gid: [{ inside: 0, outside: 100000, count: 65536 }], denySetgroups: false })
 * ```
 */
export const writeIdMaps = (
  kernel: Kernel,
  pid: number,
  maps: { readonly uid: ReadonlyArray<IdMapping>; readonly gid: ReadonlyArray<IdMapping>; readonly denySetgroups: boolean }
): Result.Result<void, FenceError> => {
  const writes: ReadonlyArray<readonly [string, string]> = [
    ...(maps.denySetgroups ? [["setgroups", "deny"] as const] : []),
    ["uid_map", lines(maps.uid)],
    ["gid_map", lines(maps.gid)]
  ]
  for (const [file, text] of writes) {
    const path = `/proc/${pid}/${file}`
    const result = writeText(kernel, path, text)
    if (result < 0) {
      return Result.fail(new FenceError({ reason: "SystemCallFailed", fence: "identity", path, detail: `cannot write ${JSON.stringify(text.trim())} to`, hint: "maps are written once, by a process with CAP_SETUID/CAP_SETGID over the parent user namespace", errno: -result }))
    }
  }
  return Result.succeed(undefined)
}
