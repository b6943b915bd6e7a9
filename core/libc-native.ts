/**
 * The Native port built from raw libc calls, once for every runtime: the
 * adapters only bind `Libc` (core/libc.ts) with their FFI.
 *
 * Memory whose address C keeps (the argv/envp tables and the strings they
 * point to, the sock_fprog and its filter) lives in one arena over a
 * `new ArrayBuffer(n)`, which neither V8 nor JavaScriptCore ever moves, and
 * stays referenced by the prepared object until execve.
 */
import { checked, cString, type Libc } from "./libc.ts"
import type { Native, PreparedExec, PreparedFilter } from "./native.ts"

const SYS_seccomp = 317
const SECCOMP_SET_MODE_FILTER = 1
const SIG_SETMASK = 2
const F_GETFD = 1
const F_SETFD = 2
/** glibc's struct sigaction is 152 bytes on x86_64; sa_handler is its first word. */
const sigactionSize = 152
/** The kernel's sigset_t is 8 bytes; glibc's is 128, and sigprocmask reads glibc's. */
const sigsetSize = 128
/** struct sock_fprog: u16 len, padding, then the filter pointer at offset 8. */
const sockFprogSize = 16

interface ArenaExec extends PreparedExec {
  readonly arena: Uint8Array
  readonly pathBytes: Uint8Array
  readonly argvTable: Uint8Array
  readonly envTable: Uint8Array
}

interface ArenaFilter extends PreparedFilter {
  readonly arena: Uint8Array
  readonly program: Uint8Array
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
  const arena = arenaOf(sockFprogSize + bpf.byteLength)
  arena.set(bpf, sockFprogSize)
  const view = new DataView(arena.buffer)
  view.setUint16(0, bpf.byteLength / 8, true)
  view.setBigUint64(8, libc.address(arena) + BigInt(sockFprogSize), true)
  return { instructions: bpf.byteLength / 8, arena, program: arena.subarray(0, sockFprogSize) }
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
  const ok = (result: number | bigint): number => checked(result, libc.errno)
  return {
    read: (fd, buffer) => ok(c.read(fd, buffer, buffer.byteLength)),
    write: (fd, buffer) => ok(c.write(fd, buffer, buffer.byteLength)),
    getFdFlags: (fd) => ok(c.fcntl(fd, F_GETFD, 0)),
    setFdFlags: (fd, flags) => ok(c.fcntl(fd, F_SETFD, flags)),
    closeRange: (first, last, flags) => ok(c.close_range(first, last, flags)),
    signalDisposition: (signal) => {
      const old = new Uint8Array(sigactionSize)
      return ok(c.sigaction(signal, null, old)) < 0 ? 0n : new DataView(old.buffer).getBigUint64(0, true)
    },
    // signal() returns the previous handler (SIG_IGN, an address) or SIG_ERR (-1).
    resetSignal: (signal) => Math.min(ok(c.signal(signal, 0)), 0),
    clearSignalMask: () => ok(c.sigprocmask(SIG_SETMASK, new Uint8Array(sigsetSize), null)),
    getrlimit: (resource) => {
      const limits = new Uint8Array(16)
      const result = ok(c.getrlimit(resource, limits))
      const view = new DataView(limits.buffer)
      return result < 0 ? result : { soft: view.getBigUint64(0, true), hard: view.getBigUint64(8, true) }
    },
    setrlimit: (resource, soft, hard) => {
      const limits = new Uint8Array(16)
      const view = new DataView(limits.buffer)
      view.setBigUint64(0, soft, true)
      view.setBigUint64(8, hard, true)
      return ok(c.setrlimit(resource, limits))
    },
    chdir: (path) => ok(c.chdir(cString(path))),
    umask: (mask) => Number(c.umask(mask)),
    setsid: () => ok(c.setsid()),
    getpid: () => Number(c.getpid()),
    getppid: () => Number(c.getppid()),
    prctl: (option, a2, a3, a4, a5) => ok(c.prctl(option, a2, a3, a4, a5)),
    access: (path, mode) => ok(c.access(cString(path), mode)),
    prepareFilter: (bpf) => layoutFilter(libc, bpf),
    installFilter: (prepared, flags) => ok(c.syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, (prepared as ArenaFilter).program)),
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
