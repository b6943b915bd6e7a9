/**
 * The cgroup v2 manager: in the supervisor's own cgroup (or a directory
 * given), when it may write there, a cgroup per child with its limits, an fd
 * of its cgroup.procs for the child to join with (the "join-cgroup" step, so
 * the child is inside before execve), cgroup.kill to end the child's whole
 * tree, and the events that say whether a limit ended it.
 *
 * Delegation rules it follows: a controller must be listed in the parent's
 * cgroup.controllers and enabled in its cgroup.subtree_control before a child
 * cgroup has its files; enabling fails with EBUSY while the parent itself has
 * processes (the "no internal processes" rule) unless it is the root.
 */
import { Result } from "effect"
import { accessPath, highFd, type Kernel, openPath, pathMemory, readText, writeText } from "../../../core/host/kernel.ts"
import { constants, errno as errnos } from "../../../core/arch/generic.ts"

const { EBUSY } = errnos
import { FenceError } from "../errors.ts"
import { type CgroupLimits, type LimitHit, limitHit } from "./limits.ts"
import { type CgroupLocation, locateCgroup } from "./locate.ts"

/**
 * A child's cgroup.
 *
 * @example
 * ```ts
 * import type { ChildCgroup } from "./manager.ts"
 *
 * declare const cgroup: ChildCgroup
 * cgroup.kill() // every process in it gets SIGKILL
 * ```
 */
export interface ChildCgroup {
  readonly path: string
  /** cgroup.procs opened for writing by the supervisor (close-on-exec); the child writes "0" to it. */
  readonly procsFd: number
  /** Writes "1" to cgroup.kill: 0 or -errno. */
  readonly kill: () => number
  /** The pids in it now. */
  readonly pids: () => ReadonlyArray<number>
  /** The limit the kernel enforced in it, if one did (read before `remove`, which takes the files away). */
  readonly limitHit: () => LimitHit | undefined
  /**
   * Kills what is left, closes the fd (once) and removes the directory,
   * waiting up to a second for the killed processes to leave it: 0 or -errno
   * (EBUSY when something in it outlived SIGKILL that long, say a process in
   * uninterruptible sleep: call it again later).
   */
  readonly remove: () => number
}

/**
 * Creates children of one cgroup.
 *
 * @example
 * ```ts
 * import type { CgroupManager } from "./manager.ts"
 *
 * declare const manager: CgroupManager
 * manager.create({ files: [["pids.max", "64"]], controllers: ["pids"] })
 * ```
 */
export interface CgroupManager {
  readonly location: CgroupLocation
  readonly create: (limits: CgroupLimits) => Result.Result<{ readonly cgroup: ChildCgroup }, FenceError>
}

const failed = (path: string, detail: string, errno: number, hint = ""): FenceError =>
  new FenceError({ reason: "SystemCallFailed", fence: "cgroup", path, detail, hint, errno })

const read = (kernel: Kernel, path: string): string | undefined => {
  const text = readText(kernel, path)
  return typeof text === "string" ? text : undefined
}

let serial = 0

const busyWaitMs = 1000
const pauseMs = 5

/** Calls `attempt` until it is not -EBUSY or a second has passed, pausing 5 ms in between (a synchronous wait: release runs in exit hooks). */
const retryWhileBusy = (attempt: () => number): number => {
  const pause = new Int32Array(new SharedArrayBuffer(4))
  let result = attempt()
  for (let waited = 0; result === -EBUSY && waited < busyWaitMs; waited += pauseMs) {
    Atomics.wait(pause, 0, 0, pauseMs)
    result = attempt()
  }
  return result
}

/**
 * Opens the manager for the supervisor's own cgroup v2, or for `parent` (a
 * cgroup directory the caller was delegated), checking that it may be written.
 *
 * @example
 * ```ts
 * import { openCgroupManager } from "./manager.ts"
 * import type { Kernel } from "../../../core/host/kernel.ts"
 *
 * declare const kernel: Kernel
 * const manager = openCgroupManager(kernel) // Failure(NoDelegation) where the cgroup is not writable
 * ```
 */
export const openCgroupManager = (kernel: Kernel, parent?: string): Result.Result<CgroupManager, FenceError> => {
  const located = locateCgroup((path) => read(kernel, path))
  if (typeof located === "string") return Result.fail(new FenceError({ reason: "NoDelegation", fence: "cgroup", path: "cgroup v2", detail: located, hint: "" }))
  const location: CgroupLocation = parent === undefined
    ? located
    : { ...located, path: parent, cgroup: parent.slice(located.mount.length) || "/", controllers: (read(kernel, `${parent}/cgroup.controllers`) ?? "").split(/\s+/).filter(Boolean), subtreeControl: (read(kernel, `${parent}/cgroup.subtree_control`) ?? "").split(/\s+/).filter(Boolean) }
  for (const file of [location.path, `${location.path}/cgroup.procs`, `${location.path}/cgroup.subtree_control`]) {
    if (accessPath(kernel, file, constants.W_OK) !== 0) {
      return Result.fail(new FenceError({
        reason: "NoDelegation", fence: "cgroup", path: file, detail: "the supervisor may not write it",
        hint: "run the supervisor in a delegated cgroup (systemd: Delegate=yes; systemd-run --user --scope -p Delegate=yes ...), or pass the directory of one"
      }))
    }
  }
  const enabled = new Set(location.subtreeControl)
  const enable = (controller: string): FenceError | undefined => {
    if (enabled.has(controller)) return undefined
    if (!location.controllers.includes(controller)) {
      const v1 = location.hybrid ? `; this host mounts cgroup v1 too, where "${controller}" may be bound` : ""
      return new FenceError({
        reason: "ControllerMissing", fence: "cgroup", path: location.path,
        detail: `"${controller}" is not in cgroup.controllers (${location.controllers.join(" ") || "none"})${v1}`,
        hint: "boot with cgroup v2 only (systemd.unified_cgroup_hierarchy=1) or delegate the controller, or leave this limit out"
      })
    }
    const result = writeText(kernel, `${location.path}/cgroup.subtree_control`, `+${controller}`)
    if (result === -EBUSY) {
      return failed(`${location.path}/cgroup.subtree_control`, `cannot enable "${controller}" for children in`, EBUSY, "the cgroup has processes of its own: start the supervisor in a leaf beneath a delegated cgroup and pass the delegated cgroup's directory")
    }
    if (result < 0) return failed(`${location.path}/cgroup.subtree_control`, `cannot enable "${controller}" in`, -result)
    enabled.add(controller)
    return undefined
  }
  const create: CgroupManager["create"] = (limits) => {
    for (const controller of limits.controllers) {
      const error = enable(controller)
      if (error !== undefined) return Result.fail(error)
    }
    const path = `${location.path}/kakoi-${Number(kernel.syscall("getpid"))}-${++serial}`
    const made = Number(kernel.syscall("mkdirat", constants.AT_FDCWD, pathMemory(path), 0o755))
    if (made < 0) return Result.fail(failed(path, "cannot create the child cgroup", -made))
    const removeDirectory = (): number => Number(kernel.syscall("unlinkat", constants.AT_FDCWD, pathMemory(path), constants.AT_REMOVEDIR))
    for (const [file, value] of limits.files) {
      const written = writeText(kernel, `${path}/${file}`, value)
      if (written < 0) return removeDirectory(), Result.fail(failed(`${path}/${file}`, `cannot write "${value}" to`, -written))
    }
    const procsFd = highFd(kernel, openPath(kernel, `${path}/cgroup.procs`, constants.O_WRONLY))
    if (procsFd < 0) return removeDirectory(), Result.fail(failed(`${path}/cgroup.procs`, "cannot open", -procsFd))
    const kill = (): number => writeText(kernel, `${path}/cgroup.kill`, "1")
    let open_ = true
    const cgroup: ChildCgroup = {
      path,
      procsFd,
      kill,
      pids: () => (read(kernel, `${path}/cgroup.procs`) ?? "").split("\n").filter(Boolean).map(Number),
      limitHit: () => limitHit(read(kernel, `${path}/memory.events`), read(kernel, `${path}/pids.events`)),
      remove: () => {
        kill()
        // Once only: a second close could hit an fd number the runtime has reused meanwhile.
        if (open_) kernel.syscall("close", procsFd)
        open_ = false
        // Killed processes leave the cgroup a moment later; until then rmdir says EBUSY.
        return retryWhileBusy(removeDirectory)
      }
    }
    return Result.succeed({ cgroup })
  }
  return Result.succeed({ location, create })
}
