/**
 * The mount steps for one child, from decoded options and the host's files:
 * - "read-only-host": propagation private; writable paths bound onto
 *   themselves; the whole tree read-only (mount_setattr, recursive); the
 *   writable binds writable again; then tmpfs, hidden paths, /proc, /dev.
 *   Nothing is created on the host: every path must exist (hidden paths that
 *   do not exist are already hidden and are skipped).
 * - "empty": a tmpfs root staged in a fresh directory the supervisor makes
 *   (and removes on release), every listed host path bound into it at the
 *   same place (mount points made inside the tmpfs), then pivot_root and the
 *   new root read-only.
 */
import { Result } from "effect"
import type { PreExecStep as FenceStep } from "../../../core/steps.ts"
import { type Kernel, pathKind, pathMemory, resolvedPath } from "../../../core/host/kernel.ts"
import { constants, errno as errnos } from "../../../core/arch/generic.ts"
import { FenceError } from "../errors.ts"
import { type FenceHost, type FencePlan, inNamespaces } from "../plugin.ts"
import type { MountsConfig } from "./options.ts"

const { ENOENT } = errnos
const devices: ReadonlyArray<string> = ["null", "zero", "full", "random", "urandom", "tty"]

const flags = (...bits: ReadonlyArray<number>): bigint => BigInt(bits.reduce((all, bit) => all | bit, 0))
const bind = (source: string, target: string): FenceStep => ({ kind: "mount", source, target, fstype: undefined, flags: flags(constants.MS_BIND, constants.MS_REC), data: undefined })
const readOnly = (path: string, recursive: boolean): FenceStep => ({ kind: "mount-attributes", path, recursive, set: BigInt(constants.MOUNT_ATTR_RDONLY), clear: 0n })
const tmpfs = (target: string, data: string, ...bits: ReadonlyArray<number>): FenceStep =>
  ({ kind: "mount", source: "tmpfs", target, fstype: "tmpfs", flags: flags(constants.MS_NOSUID, constants.MS_NODEV, ...bits), data })
/**
 * A fresh proc mount at `target`: it shows the pid namespace of the process
 * that mounts it, and (hidepid=ptraceable) only the processes the child may
 * ptrace: not its init, which shares the supervisor's memory, so that
 * /proc/1/oom_score_adj, coredump_filter or environ cannot reach the supervisor.
 *
 * @example
 * ```ts
 * import { freshProc } from "./plan.ts"
 *
 * freshProc("/proc").fstype // "proc"
 * ```
 */
export const freshProc = (target: string): Extract<FenceStep, { readonly kind: "mount" }> =>
  ({ kind: "mount", source: "proc", target, fstype: "proc", flags: flags(constants.MS_NOSUID, constants.MS_NODEV, constants.MS_NOEXEC), data: "hidepid=ptraceable" })
const privatePropagation: FenceStep = { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: flags(constants.MS_REC, constants.MS_PRIVATE), data: undefined }

type Kind = "directory" | "file"

/** The kind of each path, or the error for the first that is missing (hidden paths may be missing). */
const kinds = (kernel: Kernel, config: MountsConfig): Result.Result<ReadonlyMap<string, Kind | undefined>, FenceError> => {
  const found = new Map<string, Kind | undefined>()
  const required = [["readOnly", config.readOnly], ["writable", config.writable], ["tmpfs", config.tmpfs]] as const
  for (const [key, paths] of required) {
    for (const [index, path] of paths.entries()) {
      const kind = pathKind(kernel, path)
      if (typeof kind === "number") {
        return Result.fail(new FenceError({ reason: "SystemCallFailed", fence: "mounts", path, detail: `cannot mount ${key}[${index}] on`, hint: "the path must exist on the host", errno: -kind }))
      }
      // The child binds a writable path by name: through a symlink (which whoever owns it can point
      // anywhere, /etc say, before the child mounts it) that could make the wrong tree writable.
      const resolved = key === "writable" ? resolvedPath(kernel, path) : path
      if (resolved !== path) {
        return Result.fail(new FenceError({
          reason: "InvalidOption", fence: "mounts", path: `writable[${index}]`, detail: `"${path}" leads to ${typeof resolved === "string" ? `"${resolved}"` : "elsewhere"} through a symlink`,
          hint: "give the real path of the directory to make writable"
        }))
      }
      if (key === "tmpfs" && kind !== "directory") {
        return Result.fail(new FenceError({ reason: "InvalidOption", fence: "mounts", path: `tmpfs[${index}]`, detail: `"${path}" is not a directory`, hint: "a tmpfs can only cover a directory" }))
      }
      found.set(path, kind)
    }
  }
  for (const path of config.hide) {
    const kind = pathKind(kernel, path)
    if (typeof kind === "number" && kind !== -ENOENT) {
      return Result.fail(new FenceError({ reason: "SystemCallFailed", fence: "mounts", path, detail: "cannot tell what to hide at", hint: "", errno: -kind }))
    }
    found.set(path, typeof kind === "number" ? undefined : kind)
  }
  return Result.succeed(found)
}

const hideSteps = (target: string, kind: Kind): ReadonlyArray<FenceStep> =>
  kind === "directory"
    ? [tmpfs(target, "size=0,mode=0555", constants.MS_RDONLY, constants.MS_NOEXEC)]
    : [{ kind: "mount", source: "/dev/null", target, fstype: undefined, flags: BigInt(constants.MS_BIND), data: undefined }, readOnly(target, false)]

const writableAgain = (path: string): FenceStep => ({ kind: "mount-attributes", path, recursive: true, set: 0n, clear: BigInt(constants.MOUNT_ATTR_RDONLY) })

const beneath = (path: string, parent: string): boolean => path.startsWith(`${parent}/`)

/** Every ancestor of `path` strictly between `top` and `path`, outermost first, relative to `top`. */
const between = (top: string, path: string): ReadonlyArray<string> => {
  const parts = path.slice(top.length + 1).split("/")
  return parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join("/"))
}

/** A minimal /dev at `target`: the host's devices carried into a sealed tmpfs, and a private /dev/shm. */
const minimalDev = (target: string): ReadonlyArray<FenceStep> => [
  {
    kind: "tmpfs", target, flags: flags(constants.MS_NOSUID, constants.MS_NOEXEC), data: "mode=0755,size=64k",
    carry: devices.map((device) => ({ source: `/dev/${device}`, path: device, type: "file" as const })),
    directories: ["shm"],
    links: [["/proc/self/fd", "fd"], ["/proc/self/fd/0", "stdin"], ["/proc/self/fd/1", "stdout"], ["/proc/self/fd/2", "stderr"]].map(([to = "", path = ""]) => ({ target: to, path })),
    readOnly: true
  },
  tmpfs(`${target}/shm`, "mode=1777")
]

const readOnlyHost = (config: MountsConfig, found: ReadonlyMap<string, Kind | undefined>): ReadonlyArray<FenceStep> => {
  const covers = [...config.tmpfs].sort((a, b) => a.length - b.length)
  const coveredBy = (path: string): string | undefined => [...covers].reverse().find((top) => beneath(path, top))
  const open = config.writable.filter((path) => coveredBy(path) === undefined)
  const steps: Array<FenceStep> = [{ kind: "unshare", namespaces: ["mount"] }, privatePropagation, readOnly("/", true)]
  for (const path of open) steps.push(bind(path, path), writableAgain(path))
  for (const top of covers) {
    // A writable path (or a nested tmpfs) beneath this tmpfs would be covered by it: carry it inside.
    const carried = config.writable.filter((path) => coveredBy(path) === top)
    const nested = covers.filter((path) => path !== top && coveredBy(path) === top)
    const directories = [...new Set([...carried, ...nested].flatMap((path) => between(top, path)).concat(nested.map((path) => path.slice(top.length + 1))))]
    steps.push({
      kind: "tmpfs", target: top, flags: flags(constants.MS_NOSUID, constants.MS_NODEV), data: "mode=1777",
      carry: carried.map((path) => ({ source: path, path: path.slice(top.length + 1), type: found.get(path) ?? "directory" })),
      directories, links: [], readOnly: false
    })
    for (const path of carried) steps.push(writableAgain(path))
  }
  for (const path of config.hide) {
    const kind = found.get(path)
    // Beneath a tmpfs a hidden path is absent already.
    if (kind !== undefined && coveredBy(path) === undefined) steps.push(...hideSteps(path, kind))
  }
  if (config.proc) steps.push(freshProc("/proc"))
  if (config.dev === "minimal") steps.push(...minimalDev("/dev"))
  return steps
}

const emptyRoot = (config: MountsConfig, found: ReadonlyMap<string, Kind | undefined>, staging: string): ReadonlyArray<FenceStep> => {
  const at = (path: string): string => `${staging}${path}`
  type Entry = { readonly path: string; readonly type: Kind; readonly mount: ReadonlyArray<FenceStep> }
  const entries: Array<Entry> = [
    ...config.readOnly.map((path) => ({ path, type: found.get(path) ?? "directory", mount: [bind(path, at(path)), readOnly(at(path), true)] })),
    ...config.writable.map((path) => ({ path, type: found.get(path) ?? "directory", mount: [bind(path, at(path))] })),
    ...config.tmpfs.map((path) => ({ path, type: "directory" as const, mount: [tmpfs(at(path), "mode=1777")] })),
    ...(config.proc ? [{ path: "/proc", type: "directory" as const, mount: [freshProc(at("/proc"))] }] : []),
    ...(config.dev === "minimal" ? [{ path: "/dev", type: "directory" as const, mount: minimalDev(at("/dev")) }] : [])
  ]
  // Parents before children, so a bind inside a tmpfs lands in it rather than under it.
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const made = new Set<string>()
  const points = (path: string, type: Kind): ReadonlyArray<FenceStep> => {
    const wanted = [...between("", path).map((dir) => `/${dir}`), path].filter((dir) => !made.has(dir))
    for (const dir of wanted) made.add(dir)
    return wanted.map((dir) => ({ kind: "mount-point", path: at(dir), type: dir === path ? type : "directory" }))
  }
  const binds = [...config.readOnly, ...config.writable]
  return [
    { kind: "unshare", namespaces: ["mount"] },
    privatePropagation,
    tmpfs(staging, "mode=0755"),
    ...entries.flatMap((entry) => [...points(entry.path, entry.type), ...entry.mount]),
    // A hidden path outside every bind is not in the new root at all, nor one beneath a tmpfs.
    ...config.hide.flatMap((path) => {
      const kind = found.get(path)
      const shown = binds.some((bound) => beneath(path, bound)) && !config.tmpfs.some((top) => beneath(path, top))
      return kind !== undefined && shown ? hideSteps(at(path), kind) : []
    }),
    { kind: "pivot-root", newRoot: staging },
    readOnly("/", false)
  ]
}

let staged = 0

/**
 * The plan for one child.
 *
 * @example
 * ```ts
 * import { planMounts } from "./plan.ts"
 * import type { FenceHost } from "../plugin.ts"
 *
 * declare const host: FenceHost
 * planMounts({ root: "read-only-host", readOnly: [], writable: ["/tmp/job"], tmpfs: [], hide: [], proc: false, dev: "host" }, host)
 * ```
 */
export const planMounts = (config: MountsConfig, host: FenceHost): Result.Result<FencePlan, FenceError> => {
  const found = kinds(host.kernel, config)
  if (Result.isFailure(found)) return Result.fail(found.failure)
  if (config.root === "read-only-host") return Result.succeed({ steps: inNamespaces(host, readOnlyHost(config, found.success)), release: () => {} })
  const staging = `/tmp/.kakoi-root-${Number(host.kernel.syscall("getpid"))}-${++staged}`
  const path = (): Uint8Array => pathMemory(staging)
  const made = Number(host.kernel.syscall("mkdirat", constants.AT_FDCWD, path(), 0o700))
  if (made < 0) return Result.fail(new FenceError({ reason: "SystemCallFailed", fence: "mounts", path: staging, detail: "cannot make the staging directory", hint: "", errno: -made }))
  return Result.succeed({
    steps: inNamespaces(host, emptyRoot(config, found.success, staging)),
    release: () => void host.kernel.syscall("unlinkat", constants.AT_FDCWD, path(), constants.AT_REMOVEDIR)
  })
}
