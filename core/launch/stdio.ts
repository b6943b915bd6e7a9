/**
 * The fds a child starts with, from the parent's side: for each of stdin,
 * stdout, stderr a source fd (>= 10, so no dup3 in the child clobbers a later
 * source) and, for pipes, the parent's end. Everything is close-on-exec in the
 * parent; the child's dup3 onto 0-2 clears it on the copies.
 *
 * "inherit" does not share a stream the runtime made non-blocking (Node and
 * Bun set O_NONBLOCK on the stdio they touch): a pipe or tty is opened again
 * through /proc/self/fd/N, a new open file description without O_NONBLOCK, so
 * the target's writes block instead of failing with EAGAIN. Anything seekable
 * (a regular file, where O_NONBLOCK changes nothing and a reopen would lose
 * the offset) is shared as it is. What cannot be reopened (a socket: the
 * stdio a Node or libuv parent gives through its pipes) is shared with
 * O_NONBLOCK cleared, as child_process (libuv) clears it on its children's
 * stdio: the description is the supervisor's too, whose own writes to it then
 * block, as they do after a child_process child inherited it.
 */
import { checked, cString, type Libc } from "../libc.ts"
import type { StdioOption } from "../spec.ts"
import { constants, errno } from "../arch/generic.ts"

/** The child's three stdio sources and the parent's pipe ends. */
export interface ChildStdio {
  /** Fds (>= 10) the child dup3s onto 0, 1, 2. */
  readonly sources: readonly [number, number, number]
  /** The parent's ends of pipes: stdin's write end, stdout's and stderr's read ends (non-blocking). */
  readonly parent: readonly [number | undefined, number | undefined, number | undefined]
  /** Fds the parent closes once the child has its copies. */
  readonly childOnly: ReadonlyArray<number>
}

const lowestSource = 10

/** The fd plumbing: results are -errno like the kernel's; `must` turns one into a thrown Error. */
export interface FdTools {
  readonly ok: (result: number | bigint) => number
  readonly must: (what: string, result: number) => number
  readonly getFlags: (fd: number) => number
  readonly setFlags: (fd: number, flags: number) => number
  readonly copyHigh: (fd: number) => number
  readonly high: (fd: number) => number
  readonly close: (fd: number) => void
  readonly pipe: () => readonly [number, number]
  readonly socketpair: () => readonly [number, number]
  readonly nonBlocking: (fd: number) => void
  readonly open: (path: string, flags: number) => number
  /** The fd cannot seek (a pipe, a tty, a socket): ESPIPE from lseek. */
  readonly unseekable: (fd: number) => boolean
}

/**
 * The fd plumbing over one libc: every call checked, failures thrown as
 * errors naming the call (the spawn turns them into a SpawnError).
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * const [read, write] = fdTools(libc).pipe()
 * ```
 */
export const fdTools = (libc: Libc): FdTools => {
  const ok = (result: number | bigint): number => checked(result, libc.errno)
  const must = (what: string, result: number): number => {
    if (result < 0) throw new Error(`${what} failed with errno ${-result}`)
    return result
  }
  const getFlags = (fd: number): number => ok(libc.call.fcntl(fd, constants.F_GETFL, 0))
  const setFlags = (fd: number, flags: number): number => ok(libc.call.fcntl(fd, constants.F_SETFL, flags))
  /** A close-on-exec copy of `fd` numbered >= 10. */
  const copyHigh = (fd: number): number => must(`fcntl(${fd}, F_DUPFD_CLOEXEC)`, ok(libc.call.fcntl(fd, constants.F_DUPFD_CLOEXEC, lowestSource)))
  /** `fd` itself when it is >= 10, else a copy there (the old number is closed). */
  const high = (fd: number): number => {
    if (fd >= lowestSource) return fd
    try {
      return copyHigh(fd)
    } finally {
      libc.call.close(fd)
    }
  }
  return {
    ok, must, getFlags, setFlags, copyHigh, high,
    close: (fd: number): void => void libc.call.close(fd),
    pipe: (): readonly [number, number] => {
      const fds = new Int32Array(2)
      must("pipe2", ok(libc.call.pipe2(new Uint8Array(fds.buffer), constants.O_CLOEXEC)))
      return [fds[0] ?? -1, fds[1] ?? -1]
    },
    socketpair: (): readonly [number, number] => {
      const fds = new Int32Array(2)
      must("socketpair", ok(libc.call.socketpair(constants.AF_UNIX, constants.SOCK_STREAM | constants.SOCK_CLOEXEC, 0, new Uint8Array(fds.buffer))))
      return [fds[0] ?? -1, fds[1] ?? -1]
    },
    nonBlocking: (fd: number): void => void setFlags(fd, getFlags(fd) | constants.O_NONBLOCK),
    open: (path: string, flags: number): number => ok(libc.call.open(cString(path), flags | constants.O_CLOEXEC, 0)),
    unseekable: (fd: number): boolean => ok(libc.call.lseek(fd, 0n, constants.SEEK_CUR)) === -errno.ESPIPE
  }
}


/** The parent's fd `fd` as the child should get it: reopened when the runtime made it non-blocking. */
const inherited = (tools: FdTools, fd: number): number | undefined => {
  const flags = tools.getFlags(fd)
  if (flags < 0) return undefined
  if ((flags & constants.O_NONBLOCK) !== 0 && tools.unseekable(fd)) {
    // O_NONBLOCK on the open itself: a write-only open of a pipe with no reader left would block forever.
    const reopened = tools.open(`/proc/self/fd/${fd}`, (flags & (constants.O_ACCMODE | constants.O_APPEND)) | constants.O_NOCTTY | constants.O_NONBLOCK)
    if (reopened >= 0) {
      tools.setFlags(reopened, flags & ~constants.O_NONBLOCK)
      return tools.high(reopened)
    }
    // No second description to be had (ENXIO for a socket): this one, made blocking, or the target's writes fail with EAGAIN.
    tools.setFlags(fd, flags & ~constants.O_NONBLOCK)
  }
  return tools.copyHigh(fd)
}

/**
 * Makes the child's stdio; on failure closes whatever it made, then throws.
 * `devNull` is the process's one /dev/null (>= 10), the source for "ignore"
 * and for an "inherit" of a parent fd that is closed.
 *
 * @example
 * ```ts
 * declare const tools: FdTools
 * declare const devNull: number // the process's /dev/null, opened at fd >= 10
 * const stdio = childStdio(tools, ["pipe", "inherit", "ignore"], devNull)
 * ```
 */
export const childStdio = (tools: FdTools, options: readonly [StdioOption, StdioOption, StdioOption], devNull: number): ChildStdio => {
  const sources: Array<number> = []
  const parent: Array<number | undefined> = []
  const childOnly: Array<number> = []
  try {
    options.forEach((option, fd) => {
      if (option === "pipe") {
        const [read, write] = tools.pipe()
        const [mine, theirs] = fd === 0 ? [write, read] : [read, write]
        parent.push(mine)
        const source = tools.high(theirs)
        childOnly.push(source)
        sources.push(source)
        return
      }
      parent.push(undefined)
      const source = option === "inherit" ? inherited(tools, fd) : undefined
      if (source !== undefined) childOnly.push(source)
      sources.push(source ?? devNull)
    })
  } catch (error) {
    for (const fd of [...childOnly, ...parent]) if (fd !== undefined) tools.close(fd)
    throw error
  }
  return { sources: sources as [number, number, number], parent: parent as [number | undefined, number | undefined, number | undefined], childOnly }
}
