/**
 * Where the supervisor lives in cgroup v2: the cgroup2 mount (from
 * /proc/self/mountinfo, so a hybrid host's /sys/fs/cgroup/unified is found
 * too), the supervisor's own cgroup (the "0::" line of /proc/self/cgroup) and
 * what that cgroup offers. Pure over a file reader, so the manager and
 * `kakoi doctor` agree and tests can feed any host's files.
 */

/**
 * The supervisor's cgroup v2 and what it offers.
 *
 * @example
 * ```ts
 * import type { CgroupLocation } from "./locate.ts"
 *
 * const here: CgroupLocation = {
 *   mount: "/sys/fs/cgroup/unified", cgroup: "/", path: "/sys/fs/cgroup/unified", hybrid: true,
 *   controllers: ["hugetlb"], subtreeControl: []
 * }
 * ```
 */
export interface CgroupLocation {
  /** The cgroup2 mount point. */
  readonly mount: string
  /** The supervisor's cgroup, relative to the hierarchy's root ("/" is the root cgroup). */
  readonly cgroup: string
  /** Its directory. */
  readonly path: string
  /** cgroup v1 hierarchies are mounted too: controllers bound to v1 are not available in v2. */
  readonly hybrid: boolean
  /** cgroup.controllers: what this cgroup may hand to its children. */
  readonly controllers: ReadonlyArray<string>
  /** cgroup.subtree_control: what is enabled for its children now. */
  readonly subtreeControl: ReadonlyArray<string>
}

/** mountinfo fields: id parent major:minor root mountpoint options ... - fstype source superoptions. */
const mountsOf = (mountinfo: string): ReadonlyArray<{ readonly root: string; readonly point: string; readonly type: string }> =>
  mountinfo.split("\n").flatMap((line) => {
    const [before = "", after = ""] = line.split(" - ")
    const fields = before.split(" ")
    const [type = ""] = after.split(" ")
    const [root, point] = [fields[3], fields[4]]
    return root === undefined || point === undefined ? [] : [{ root: unescape(root), point: unescape(point), type }]
  })

// mountinfo escapes space, tab, newline and backslash as octal.
const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))

const words = (text: string | undefined): ReadonlyArray<string> => (text ?? "").split(/\s+/).filter((word) => word !== "")

/**
 * Finds the supervisor's cgroup v2, or says why there is none.
 *
 * @example
 * ```ts
 * import { locateCgroup } from "./locate.ts"
 *
 * const files: Record<string, string> = {
 *   "/proc/self/mountinfo": "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
 *   "/proc/self/cgroup": "0::/\n",
 *   "/sys/fs/cgroup/unified/cgroup.controllers": "hugetlb\n"
 * }
 * locateCgroup((path) => files[path]) // { mount: "/sys/fs/cgroup/unified", cgroup: "/", ... }
 * ```
 */
export const locateCgroup = (readFile: (path: string) => string | undefined): CgroupLocation | string => {
  const mountinfo = readFile("/proc/self/mountinfo")
  if (mountinfo === undefined) return "/proc/self/mountinfo is not readable: is /proc mounted?"
  const mounts = mountsOf(mountinfo)
  const unified = mounts.find((mount) => mount.type === "cgroup2")
  if (unified === undefined) return "no cgroup2 file system is mounted (cgroup v1 only): boot with systemd.unified_cgroup_hierarchy=1, or mount cgroup2"
  const line = (readFile("/proc/self/cgroup") ?? "").split("\n").find((entry) => entry.startsWith("0::"))
  if (line === undefined) return "/proc/self/cgroup has no cgroup v2 entry (0::)"
  const own = line.slice(3)
  // A cgroup namespace or a bind of a subtree shows paths relative to the mount's root.
  const relative = unified.root !== "/" && own.startsWith(unified.root) ? own.slice(unified.root.length) || "/" : own
  const path = relative === "/" ? unified.point : `${unified.point}${relative}`
  return {
    mount: unified.point,
    cgroup: own,
    path,
    hybrid: mounts.some((mount) => mount.type === "cgroup"),
    controllers: words(readFile(`${path}/cgroup.controllers`)),
    subtreeControl: words(readFile(`${path}/cgroup.subtree_control`))
  }
}
