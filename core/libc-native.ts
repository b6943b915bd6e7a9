/**
 * The Native port built from raw libc calls, once for every runtime: the
 * adapters only bind `Libc` (core/libc.ts) with their FFI.
 *
 * Memory whose address C keeps (the argv/envp tables and the strings they
 * point to, the sock_fprog and its filter) lives in one arena over a
 * `new ArrayBuffer(n)`, which neither V8 nor JavaScriptCore ever moves, and
 * stays referenced by the prepared object until execve.
 */
import { constants, structs } from "./arch/generic.ts"
import { archTable } from "./arch/mod.ts"
import { checked, cString, keepingReachable, type Libc } from "./libc.ts"
import type { Native, PreparedExec, PreparedFilter } from "./native.ts"

const { SECCOMP_SET_MODE_FILTER, SIG_SETMASK, F_GETFD, F_SETFD, F_DUPFD, SIGSET_SIZE: sigsetSize } = constants
/** The kernel's struct sigaction: handler, flags, restorer, mask; all zero is SIG_DFL. */
const kernelSigactionSize = structs.kernelSigaction.size
const { sockFprog, rlimit } = structs

interface ArenaExec extends PreparedExec {
  readonly arena: Uint8Array
  readonly pathBytes: Uint8Array
  readonly argvTable: Uint8Array
  readonly envTable: Uint8Array
}

interface ArenaFilter extends PreparedFilter {
  readonly arena: Uint8Array
  /** The address of the sock_fprog at the arena's start. */
  readonly program: bigint
}

/** Zeroed memory that never moves; its start is 8-aligned, so pointer tables go first. */
const arenaOf = (size: number): Uint8Array => new Uint8Array(new ArrayBuffer(Math.max(8, size)))

/** Lays out the path, both NULL-terminated pointer tables and every string in one arena. */
const layoutExec = (libc: Libc, path: string, argv: ReadonlyArray<string>, env: ReadonlyArray<string>): ArenaExec => {
  const strings = [path, ...argv, ...env].map(cString)
  const tablesSize = 8 * (argv.length + 1 + env.length + 1)
  const arena = arenaOf(tablesSize + strings.reduce((sum, bytes) => sum + bytes.byteLength, 0))
  const base = libc.address(arena)
  const view = new DataView(arena.buffer)
  const addresses: Array<bigint> = []
  let offset = tablesSize
  for (const bytes of strings) {
    arena.set(bytes, offset)
    addresses.push(base + BigInt(offset))
    offset += bytes.byteLength
  }
  // Tables: argv pointers then NULL, then envp pointers then NULL (the arena starts zeroed).
  const argvAddresses = addresses.slice(1, 1 + argv.length)
  const envAddresses = addresses.slice(1 + argv.length)
  argvAddresses.forEach((address, index) => view.setBigUint64(8 * index, address, true))
  const envStart = 8 * (argv.length + 1)
  envAddresses.forEach((address, index) => view.setBigUint64(envStart + 8 * index, address, true))
  const pathBytes = arena.subarray(tablesSize, tablesSize + (strings[0]?.byteLength ?? 0))
  return { path, arena, pathBytes, argvTable: arena.subarray(0, envStart), envTable: arena.subarray(envStart, tablesSize) }
}

/** A sock_fprog followed by the filter it points to, in one arena. */
const layoutFilter = (libc: Libc, bpf: Uint8Array): ArenaFilter => {
  const arena = arenaOf(sockFprog.size + bpf.byteLength)
  arena.set(bpf, sockFprog.size)
  const view = new DataView(arena.buffer)
  const program = libc.address(arena)
  const instructions = bpf.byteLength / sockFprog.instructionSize
  view.setUint16(sockFprog.len, instructions, true)
  view.setBigUint64(sockFprog.filter, program + BigInt(sockFprog.size), true)
  return { instructions, arena, program }
}

/**
 * The Native port over one runtime's libc binding.
 *
 * @example
 * ```ts
 * import { nativeFromLibc } from "./libc-native.ts"
 * import type { Libc } from "./libc.ts"
 *
 * declare const libc: Libc
 * nativeFromLibc(libc).getpid()
 * ```
 */
export const nativeFromLibc = (libc: Libc): Native => {
  const c = libc.call
  const { syscalls } = archTable()
  const ok = (result: number | bigint): number => checked(result, libc.errno)
  /** rt_sigaction with the kernel's own struct: reads (and with `act`, sets) a disposition. */
  const sigaction = (signal: number, act: Uint8Array | undefined, old: Uint8Array | undefined): number =>
    keepingReachable([act, old], () => ok(c.syscall(syscalls.rt_sigaction, signal, act ? libc.address(act) : 0, old ? libc.address(old) : 0, sigsetSize, 0)))
  return {
    read: (fd, buffer) => ok(c.read(fd, buffer, buffer.byteLength)),
    write: (fd, buffer) => ok(c.write(fd, buffer, buffer.byteLength)),
    getFdFlags: (fd) => ok(c.fcntl(fd, F_GETFD, 0)),
    setFdFlags: (fd, flags) => ok(c.fcntl(fd, F_SETFD, flags)),
    closeRange: (first, last, flags) => ok(c.close_range(first, last, flags)),
    signalDisposition: (signal) => {
      const old = arenaOf(kernelSigactionSize)
      return sigaction(signal, undefined, old) < 0 ? 0n : new DataView(old.buffer).getBigUint64(0, true)
    },
    resetSignal: (signal) => sigaction(signal, arenaOf(kernelSigactionSize), undefined),
    clearSignalMask: () => {
      const empty = arenaOf(sigsetSize)
      return keepingReachable([empty], () => ok(c.syscall(syscalls.rt_sigprocmask, SIG_SETMASK, libc.address(empty), 0, sigsetSize, 0)))
    },
    getrlimit: (resource) => {
      const limits = new Uint8Array(rlimit.size)
      const result = ok(c.getrlimit(resource, limits))
      const view = new DataView(limits.buffer)
      return result < 0 ? result : { soft: view.getBigUint64(rlimit.cur, true), hard: view.getBigUint64(rlimit.max, true) }
    },
    setrlimit: (resource, soft, hard) => {
      const limits = new Uint8Array(rlimit.size)
      const view = new DataView(limits.buffer)
      view.setBigUint64(rlimit.cur, soft, true)
      view.setBigUint64(rlimit.max, hard, true)
      return ok(c.setrlimit(resource, limits))
    },
    chdir: (path) => ok(c.chdir(cString(path))),
    umask: (mask) => Number(c.umask(mask)),
    setsid: () => ok(c.setsid()),
    getpid: () => Number(c.getpid()),
    getppid: () => Number(c.getppid()),
    prctl: (option, a2, a3, a4, a5) => ok(c.prctl(option, a2, a3, a4, a5)),
    access: (path, mode) => ok(c.access(cString(path), mode)),
    lowestFreeFd: () => {
      // The kernel hands out the lowest free number: dup to it and give it back.
      const fd = ok(c.fcntl(0, F_DUPFD, 0))
      if (fd >= 0) c.close(fd)
      return fd
    },
    prepareFilter: (bpf) => layoutFilter(libc, bpf),
    installFilter: (prepared, flags) => ok(c.syscall(syscalls.seccomp, SECCOMP_SET_MODE_FILTER, flags, (prepared as ArenaFilter).program, 0, 0)),
    prepareExec: (path, argv, env) => layoutExec(libc, path, argv, env),
    execve: (prepared) => {
      const exec = prepared as ArenaExec
      return ok(c.execve(exec.pathBytes, exec.argvTable, exec.envTable))
    },
    exit: (code) => {
      c._exit(code)
      throw new Error("_exit returned")
    }
  }
}
