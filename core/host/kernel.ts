/**
 * The Kernel port: raw syscalls by name, over any runtime's libc binding (the
 * `syscall` prototype of core/libc.ts). The host probes, the Landlock ruleset
 * builder and the cgroup manager run in the supervisor through it, so they are
 * written once for Node, Deno and Bun and can be driven by a fake in tests.
 *
 * Results follow the kernel's convention: a value >= 0, or -errno.
 */
import { Context } from "effect"
import { checked, cString, keepingReachable, type Libc } from "../libc.ts"
import { archTable, type SyscallName } from "../arch/mod.ts"
import { constants } from "../arch/generic.ts"

/**
 * Raw syscalls and the memory they read.
 *
 * @example
 * ```ts
 * import type { Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * kernel.syscall("getpid") // the caller's pid, as a bigint
 * ```
 */
export interface Kernel {
  /**
   * One syscall; its result, or -errno. Integers as given; memory as the
   * buffer itself, whose address the call takes and which it keeps reachable
   * until the kernel is done with it (an address taken beforehand would let
   * the garbage collector free a temporary buffer in between).
   */
  readonly syscall: (name: SyscallName, ...args: ReadonlyArray<bigint | number | Uint8Array>) => bigint
  /** The address of memory that never moves: a buffer made with `memory(n)`. */
  readonly address: (buffer: Uint8Array) => bigint
}

/**
 * The Kernel port as an Effect service: the fence plugins (plugins/sandbox)
 * plan against the running host through it; each adapter's layer provides
 * `kernelFromLibc(its libc)`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { KernelService } from "./kernel.ts"
 *
 * const pid = Effect.gen(function*() {
 *   const kernel = yield* KernelService
 *   return kernel.syscall("getpid")
 * })
 * ```
 */
export const KernelService: Context.Service<Kernel, Kernel> = Context.Service<Kernel>("kakoi/Kernel")
/**
 * The identifier of the KernelService in Effect requirement types.
 *
 * @example
 * ```ts
 * import type { Effect } from "effect"
 * import type { KernelService } from "./kernel.ts"
 *
 * declare const needsKernel: Effect.Effect<void, never, KernelService>
 * ```
 */
export type KernelService = Kernel

/**
 * Zeroed memory whose address the kernel may keep for the duration of a call
 * (over its own ArrayBuffer, which neither V8 nor JavaScriptCore moves).
 *
 * @example
 * ```ts
 * import { memory } from "./kernel.ts"
 *
 * const attr = memory(24)
 * ```
 */
export const memory = (size: number): Uint8Array => new Uint8Array(new ArrayBuffer(Math.max(8, size)))

/**
 * A NUL-terminated path in memory that never moves.
 *
 * @example
 * ```ts
 * import { pathMemory } from "./kernel.ts"
 *
 * pathMemory("/etc").byteLength // 8 (at least 8 bytes)
 * ```
 */
export const pathMemory = (path: string): Uint8Array => {
  const bytes = cString(path)
  const buffer = memory(bytes.byteLength)
  buffer.set(bytes)
  return buffer
}

/**
 * The Kernel port over one runtime's libc binding.
 *
 * @example
 * ```ts
 * import { kernelFromLibc } from "./kernel.ts"
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * kernelFromLibc(libc).syscall("getpid")
 * ```
 */
export const kernelFromLibc = (libc: Libc): Kernel => ({
  syscall: (name, ...args) => {
    const words = [...args.map((arg) => (arg instanceof Uint8Array ? libc.address(arg) : arg)), 0, 0, 0, 0, 0, 0].slice(0, 6)
    // The buffers `words` only point at stay reachable until the kernel is done with them.
    return keepingReachable(args, () => BigInt(checked(libc.call.syscall(archTable().syscalls[name], ...words), libc.errno)))
  },
  address: (buffer) => libc.address(buffer)
})

/**
 * openat(AT_FDCWD, path, flags): an fd or -errno. The path's memory lives for the call.
 *
 * @example
 * ```ts
 * import { openPath, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * const fd = openPath(kernel, "/etc", 0o10000000) // O_PATH
 * ```
 */
export const openPath = (kernel: Kernel, path: string, flags: number): number =>
  Number(kernel.syscall("openat", constants.AT_FDCWD, pathMemory(path), flags | constants.O_CLOEXEC, 0))

/**
 * Moves a supervisor fd that a child program will name (a Landlock ruleset, a
 * cgroup.procs) to 10 or above, where the program requires its sources (a
 * runtime may hand out low numbers, as Bun does); returns the new fd or -errno.
 *
 * @example
 * ```ts
 * import { highFd, openPath, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * const fd = highFd(kernel, openPath(kernel, "/sys/fs/cgroup/cgroup.procs", 1))
 * ```
 */
export const highFd = (kernel: Kernel, fd: number): number => {
  if (fd < 0 || fd >= 10) return fd
  const moved = Number(kernel.syscall("fcntl", fd, constants.F_DUPFD_CLOEXEC, 10))
  kernel.syscall("close", fd)
  return moved
}

/**
 * A whole (small) file as text, or -errno. For /proc and /sys files, which
 * report no size: reads until end of file.
 *
 * @example
 * ```ts
 * import { readText, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * readText(kernel, "/proc/sys/kernel/osrelease") // "6.18.44\n"
 * ```
 */
export const readText = (kernel: Kernel, path: string): string | number => {
  const fd = openPath(kernel, path, constants.O_RDONLY)
  if (fd < 0) return fd
  const decoder = new TextDecoder()
  const chunk = memory(65536)
  let text = ""
  try {
    for (;;) {
      const count = Number(kernel.syscall("read", fd, chunk, chunk.byteLength))
      if (count < 0) return count
      if (count === 0) return text + decoder.decode()
      text += decoder.decode(chunk.subarray(0, count), { stream: true })
    }
  } finally {
    kernel.syscall("close", fd)
  }
}

/**
 * Writes `text` to an existing file (a cgroup or /proc control file) in one
 * write(2), as those files expect: 0, or -errno.
 *
 * @example
 * ```ts
 * import { writeText, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * writeText(kernel, "/sys/fs/cgroup/job/cgroup.kill", "1")
 * ```
 */
export const writeText = (kernel: Kernel, path: string, text: string): number => {
  const fd = openPath(kernel, path, constants.O_WRONLY)
  if (fd < 0) return fd
  const bytes = new TextEncoder().encode(text)
  const buffer = memory(bytes.byteLength)
  buffer.set(bytes)
  try {
    const written = Number(kernel.syscall("write", fd, buffer, bytes.byteLength))
    return written < 0 ? written : 0
  } finally {
    kernel.syscall("close", fd)
  }
}

/**
 * faccessat(AT_FDCWD, path, mode): 0 when the caller may, else -errno.
 *
 * @example
 * ```ts
 * import { accessPath, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * accessPath(kernel, "/sys/fs/cgroup/cgroup.procs", 2) === 0 // writable
 * ```
 */
export const accessPath = (kernel: Kernel, path: string, mode: number): number =>
  Number(kernel.syscall("faccessat", constants.AT_FDCWD, pathMemory(path), mode, 0))

/**
 * Whether an open fd is a directory or something else, or -errno (fstat).
 *
 * @example
 * ```ts
 * import { fdKind, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * declare const fd: number
 * fdKind(kernel, fd) // "directory"
 * ```
 */
export const fdKind = (kernel: Kernel, fd: number): "directory" | "file" | number => {
  const stat = archTable().stat
  const buffer = memory(stat.size)
  const result = Number(kernel.syscall("fstat", fd, buffer))
  if (result < 0) return result
  return (new DataView(buffer.buffer).getUint32(stat.mode, true) & constants.S_IFMT) === constants.S_IFDIR ? "directory" : "file"
}

/**
 * Where `path` leads once every symlink in it is followed (the kernel's name
 * for the file it opens), or -errno.
 *
 * @example
 * ```ts
 * import { resolvedPath, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * resolvedPath(kernel, "/lib") // "/usr/lib" on a merged-/usr system
 * ```
 */
export const resolvedPath = (kernel: Kernel, path: string): string | number => {
  const fd = openPath(kernel, path, constants.O_PATH)
  if (fd < 0) return fd
  try {
    const buffer = memory(4096)
    const length = Number(kernel.syscall("readlinkat", constants.AT_FDCWD, pathMemory(`/proc/self/fd/${fd}`), buffer, buffer.byteLength))
    return length < 0 ? length : new TextDecoder().decode(buffer.subarray(0, length))
  } finally {
    kernel.syscall("close", fd)
  }
}

/**
 * What `path` is (following symlinks), or -errno: -ENOENT when it does not exist.
 *
 * @example
 * ```ts
 * import { pathKind, type Kernel } from "./kernel.ts"
 *
 * declare const kernel: Kernel
 * pathKind(kernel, "/etc") // "directory"
 * ```
 */
export const pathKind = (kernel: Kernel, path: string): "directory" | "file" | number => {
  const fd = openPath(kernel, path, constants.O_PATH)
  if (fd < 0) return fd
  try {
    return fdKind(kernel, fd)
  } finally {
    kernel.syscall("close", fd)
  }
}
