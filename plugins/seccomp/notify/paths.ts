/**
 * The pattern that holds for path arguments: the supervisor reads the path
 * once, resolves it itself, decides on what it resolved, and performs the
 * call on that same resolution (mkdirat in the directory fd it holds, or an
 * open whose fd is injected with ADDFD), never CONTINUE: the kernel would
 * re-read the child's memory, which another thread may have rewritten since.
 *
 * Resolution runs in the supervisor with its privileges, inside the child's
 * view of the filesystem where openat2 allows it: an absolute path from
 * /proc/<pid>/root with RESOLVE_IN_ROOT, a relative one from the child's cwd
 * or dirfd (/proc/<pid>/cwd, /proc/<pid>/fd/<n>), each opened and then checked
 * against the notification id like a memory read. (openat2 takes one dirfd, so
 * a relative path's ".." and absolute symlinks are not held at the root of a
 * child whose root differs from the supervisor's; `path` still names what is touched.) No magic links are
 * followed; the last component is a symlink only when asked to follow it, and
 * then its target is resolved the same way. The parent directory stays open
 * (O_PATH) until the call is answered, so `path`, read back from that fd,
 * names the directory the call acts in, whatever the child renames or swaps
 * meanwhile.
 */
import { constants, errno } from "../../../core/arch/generic.ts"
import { archTable } from "../../../core/arch/mod.ts"
import type { ArgIndex } from "../model.ts"
import type { SupervisorCalls } from "./calls.ts"
import { PathError } from "./errors.ts"
import type { Notification } from "./handler.ts"
import { readString } from "./memory.ts"

/**
 * How the session that received a notification lets handlers act in its child's stead.
 *
 * @example
 * ```ts
 * import type { SupervisorCalls } from "./calls.ts"
 * import type { ChildFiles } from "./paths.ts"
 *
 * declare const calls: SupervisorCalls
 * const held: Array<number> = []
 * const files: ChildFiles = { calls, fdTarget: () => -2, pending: () => true, hold: (fd) => held.push(fd) > 0 }
 * ```
 */
export interface ChildFiles {
  readonly calls: SupervisorCalls
  /** What /proc/self/fd/N links to (the path of an fd the supervisor holds), or -errno. */
  readonly fdTarget: (fd: number) => string | number
  /** Whether the kernel still holds the call. */
  readonly pending: () => boolean
  /** Keep `fd` open until the call is answered, then close it; false (and closed now) once it was answered. */
  readonly hold: (fd: number) => boolean
}

const files = new WeakMap<Notification, ChildFiles>()

/**
 * Lets `resolvePath` act for the child of `notification` (done by the session that received it).
 *
 * @example
 * ```ts
 * import type { Notification } from "kakoi/seccomp"
 * import type { ChildFiles } from "./paths.ts"
 * import { attachFiles } from "./paths.ts"
 *
 * declare const notification: Notification
 * declare const files: ChildFiles
 * attachFiles(notification, files)
 * ```
 */
export const attachFiles = (notification: Notification, childFiles: ChildFiles): void => {
  files.set(notification, childFiles)
}

const { AT_FDCWD, O_CREAT, O_EXCL, O_CLOEXEC, O_PATH, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_BENEATH, RESOLVE_IN_ROOT, PROC_SUPER_MAGIC } =
  constants
// The child runs on this machine's architecture, so its open flags are this arch's (asked when used: importing must not need a supported arch).
const openFlags = (): ReturnType<typeof archTable>["openFlags"] => archTable().openFlags
const { ENOENT, ESRCH, EBADF, EACCES, ELOOP } = errno
/** The kernel's MAXSYMLINKS. */
const maxLinks = 40

/**
 * What a call's path argument names, resolved by the supervisor; acts on it
 * with the supervisor's privileges (its uid, capabilities and umask, the
 * child's umask applied on top).
 *
 * @example
 * ```ts
 * import { answer, resolvePath, type NotifyHandler } from "kakoi/seccomp"
 *
 * // mkdirat(dirfd, path, mode)
 * const onlyTmp: NotifyHandler = (call) => {
 *   const target = resolvePath(call, 0, 1)
 *   return target.path.startsWith("/tmp/") ? answer.emulate(target.mkdir(call.args[2])) : answer.fail("EACCES")
 * }
 * ```
 */
export interface ResolvedPath {
  /** The absolute path, in the supervisor's view, of what the call acts on: check this one. */
  readonly path: string
  /** The path as the child passed it (for logs, never for decisions). */
  readonly given: string
  /** mkdirat in the resolved directory: 0 or -errno (hand it to `answer.emulate`); -ESRCH once the call is no longer pending. */
  readonly mkdir: (mode: bigint | number) => number
  /**
   * Opens the resolved name in the resolved directory with the child's open
   * flags (never following a symlink there: resolve with `follow` for that):
   * an fd owned by the handler (hand it to `answer.fd`) or -errno (-ESRCH once
   * the call is no longer pending).
   */
  readonly open: (flags: bigint | number, mode?: bigint | number) => number
}

/**
 * Whether the child's open flags ask for O_CLOEXEC, for `answer.fd(fd, { closeOnExec })`.
 *
 * @example
 * ```ts
 * import { closeOnExec } from "kakoi/seccomp"
 *
 * closeOnExec(0o2000000n) // true
 * ```
 */
export const closeOnExec = (flags: bigint | number): boolean => (Number(BigInt.asUintN(32, BigInt(flags))) & O_CLOEXEC) !== 0

/**
 * Whether open(2) with these flags follows a symlink in the last component
 * (not with O_NOFOLLOW, nor with O_CREAT | O_EXCL).
 *
 * @example
 * ```ts
 * import { followsLastLink } from "kakoi/seccomp"
 *
 * followsLastLink(0n) // true: O_RDONLY opens what a symlink points to
 * followsLastLink(0o400000n) // false: O_NOFOLLOW
 * ```
 */
export const followsLastLink = (flags: bigint | number): boolean => {
  const value = Number(BigInt.asUintN(32, BigInt(flags)))
  return (value & openFlags().O_NOFOLLOW) === 0 && (value & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL)
}

interface Split {
  readonly parent: string
  readonly name: string
}

/** "a/b/c/" -> a/b + c; "/" and names ending in "." or ".." act on the directory itself. */
const split = (path: string): Split => {
  const trimmed = path.replace(/\/+$/, "")
  if (trimmed === "") return { parent: "/", name: "." }
  const cut = trimmed.lastIndexOf("/")
  const name = trimmed.slice(cut + 1)
  if (name === "." || name === "..") return { parent: trimmed, name: "." }
  return { parent: cut < 0 ? "." : cut === 0 ? "/" : trimmed.slice(0, cut), name }
}

/**
 * Resolve the path argument at `pathIndex` (relative to the dirfd argument at
 * `dirfdIndex`, or to the caller's cwd when undefined) as the kernel would
 * for the caller. Throws `PathError` (and `MemoryReadError` for the read); a
 * handler that lets either escape denies the call.
 *
 * Decide on `path`, then act with `mkdir`/`open` and answer with their result:
 * the child can no longer change what the call does. Prefer allow-lists
 * (`path.startsWith("/srv/data/")`) to deny-lists: the supervisor may be able to
 * do more than the child (it is often root). Hard links give a file other names:
 * a path check cannot see them.
 *
 * @example
 * ```ts
 * import { answer, closeOnExec, followsLastLink, policy, resolvePath } from "kakoi/seccomp"
 *
 * const onlyData = policy((rule) => {
 *   rule.notify((call) => {
 *     const flags = call.args[2]
 *     const target = resolvePath(call, 0, 1, { follow: followsLastLink(flags) })
 *     if (!target.path.startsWith("/srv/data/")) return answer.fail("EACCES")
 *     return answer.fd(target.open(flags, call.args[3]), { closeOnExec: closeOnExec(flags) })
 *   }, "openat")
 * }, { default: "allow" })
 * ```
 */
export const resolvePath = (
  call: Notification,
  dirfdIndex: ArgIndex | undefined,
  pathIndex: ArgIndex,
  options: { readonly follow?: boolean } = {}
): ResolvedPath => {
  const child = files.get(call)
  if (child === undefined) throw new PathError({ reason: "Detached", pid: call.pid, path: "", errno: EACCES })
  const given = readString(call, pathIndex)
  const fail = (reason: PathError["reason"], errno: number): never => {
    throw new PathError({ reason, pid: call.pid, path: given, errno })
  }
  const { calls } = child
  /** An fd the session closes once the call is answered, or a PathError. */
  const held = (fd: number, missing: number = ENOENT): number => {
    if (fd < 0) return fail("Unresolvable", fd === -ENOENT ? missing : -fd)
    if (!child.hold(fd)) return fail("Gone", ESRCH)
    return fd
  }
  /** The child's /proc/<pid>/<link> (root, cwd, fd/N), trusted only while the call is still pending. */
  const procLink = (link: string, missing: number): number => {
    const fd = calls.openat(AT_FDCWD, `/proc/${call.pid}/${link}`, O_PATH)
    // Whatever the open gave, only a call still pending proves the pid was still our caller.
    if (!child.pending()) {
      if (fd >= 0) child.hold(fd)
      return fail("Gone", ESRCH)
    }
    return held(fd, missing)
  }
  let root: number | undefined
  const rootFd = (): number => (root ??= procLink("root", ENOENT))
  const dirfd = dirfdIndex === undefined ? AT_FDCWD : Number(BigInt.asIntN(32, call.args[dirfdIndex]))

  const resolveParent = (text: string, base: number | undefined): { readonly fd: number; readonly name: string } => {
    if (text === "") fail("Unresolvable", ENOENT)
    const { parent, name } = split(text)
    const start = text.startsWith("/")
      ? rootFd()
      : base ?? (dirfd === AT_FDCWD ? procLink("cwd", ENOENT) : procLink(`fd/${dirfd}`, EBADF))
    const resolve = text.startsWith("/") ? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS : RESOLVE_NO_MAGICLINKS
    return { fd: held(calls.openat2(start, parent, O_PATH | openFlags().O_DIRECTORY, 0, resolve)), name }
  }

  let { fd, name } = resolveParent(given, undefined)
  for (let links = 0; options.follow === true && name !== "."; links++) {
    const link = calls.readlinkat(fd, name)
    if (typeof link === "number") break
    if (links === maxLinks) fail("Unresolvable", ELOOP)
    ;({ fd, name } = resolveParent(link, fd))
  }
  const type = calls.filesystemType(fd)
  if (type === PROC_SUPER_MAGIC) fail("Procfs", EACCES)
  const directory = child.fdTarget(fd)
  if (typeof directory === "number" || !directory.startsWith("/")) return fail("Unresolvable", typeof directory === "number" ? -directory : ENOENT)
  if (!child.pending()) fail("Gone", ESRCH)
  const path = name === "." ? directory : `${directory === "/" ? "" : directory}/${name}`

  const parentFd = fd
  const finalName = name
  let umask: number | undefined
  /** The child's umask (/proc/<pid>/status); all bits when it cannot be read, so nothing is granted by mistake. */
  const childUmask = (): number => {
    if (umask !== undefined) return umask
    const status = calls.openat2(AT_FDCWD, `/proc/${call.pid}/status`, 0, 0, 0)
    const text = status < 0 || !child.hold(status) ? -EBADF : calls.read(status, 4096)
    const found = typeof text === "number" ? undefined : /\nUmask:\s*([0-7]+)/.exec(new TextDecoder().decode(text))?.[1]
    return (umask = found === undefined || !child.pending() ? 0o7777 : Number.parseInt(found, 8))
  }
  const modeOf = (mode: bigint | number): number => Number(BigInt(mode) & 0o7777n) & ~childUmask()
  // Once the call is answered its fds are closed and their numbers free for anything: act for pending calls only.
  const acting = (act: () => number): number => (child.pending() ? act() : -ESRCH)
  return {
    path,
    given,
    mkdir: (mode) => acting(() => calls.mkdirat(parentFd, finalName, modeOf(mode))),
    open: (flags, mode = 0) =>
      acting(() => {
        const value = Number(BigInt.asUintN(32, BigInt(flags))) & ~O_CLOEXEC
        const creates = (value & O_CREAT) !== 0 || (value & openFlags().O_TMPFILE) === openFlags().O_TMPFILE
        return calls.openat2(parentFd, finalName, value, creates ? modeOf(mode) : 0, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)
      })
  }
}
