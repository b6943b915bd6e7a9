/**
 * The Native port on Node, bound with koffi to the C library. Used by the
 * launcher (in the child, before execve) and by in-process policy loading.
 */
import { createRequire } from "node:module"
import type { Native, PreparedExec, PreparedFilter } from "../../core/native.ts"

type Koffi = typeof import("koffi")
const koffi: Koffi = createRequire(import.meta.url)("koffi")

const SYS_seccomp = 317
const SECCOMP_SET_MODE_FILTER = 1
const SIG_SETMASK = 2
const F_GETFD = 1
const F_SETFD = 2
/** glibc's struct sigaction is 152 bytes on x86_64; sa_handler is its first word. */
const sigactionSize = 152

interface NodePreparedExec extends PreparedExec {
  readonly pathBytes: Buffer
  readonly argvTable: Buffer
  readonly envTable: Buffer
  readonly keepAlive: ReadonlyArray<Buffer>
}

interface NodePreparedFilter extends PreparedFilter {
  readonly program: Buffer
  readonly filter: Buffer
}

/** One C string per entry plus a NULL-terminated table of pointers to them. */
const pointerTable = (strings: ReadonlyArray<string>): { table: Buffer; strings: Array<Buffer> } => {
  const buffers = strings.map((value) => Buffer.from(`${value}\0`))
  const table = Buffer.alloc(8 * (buffers.length + 1))
  buffers.forEach((buffer, index) => table.writeBigUInt64LE(koffi.address(buffer), 8 * index))
  return { table, strings: buffers }
}

const load = (): Native => {
  const libc = koffi.load("libc.so.6")
  const read = libc.func("long read(int, _Out_ uint8_t *, size_t)")
  const write = libc.func("long write(int, const uint8_t *, size_t)")
  const fcntl = libc.func("int fcntl(int, int, long)")
  const closeRange = libc.func("int close_range(unsigned int, unsigned int, int)")
  const sigaction = libc.func("int sigaction(int, const void *, _Out_ uint8_t *)")
  const signal = libc.func("intptr_t signal(int, intptr_t)")
  const sigprocmask = libc.func("int sigprocmask(int, const uint8_t *, void *)")
  const getrlimit = libc.func("int getrlimit(int, _Out_ uint64_t *)")
  const setrlimit = libc.func("int setrlimit(int, const uint64_t *)")
  const chdir = libc.func("int chdir(const char *)")
  const umask = libc.func("uint32_t umask(uint32_t)")
  const setsid = libc.func("int setsid()")
  const getpid = libc.func("int getpid()")
  const getppid = libc.func("int getppid()")
  const prctl = libc.func("int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)")
  const access = libc.func("int access(const char *, int)")
  // glibc's syscall() is a plain register shuffle, so a fixed prototype is safe on x86_64.
  const syscall = libc.func("long syscall(long, long, long, const uint8_t *)")
  const execve = libc.func("int execve(const uint8_t *, const uint8_t *, const uint8_t *)")
  const exit = libc.func("void _exit(int)")

  /** -errno when a C call failed (returned -1), else its result. */
  const checked = (result: number | bigint): number => (Number(result) === -1 ? -koffi.errno() : Number(result))

  return {
    read: (fd, buffer) => checked(read(fd, buffer, buffer.byteLength)),
    write: (fd, buffer) => checked(write(fd, buffer, buffer.byteLength)),
    getFdFlags: (fd) => checked(fcntl(fd, F_GETFD, 0)),
    setFdFlags: (fd, flags) => checked(fcntl(fd, F_SETFD, flags)),
    closeRange: (first, last, flags) => checked(closeRange(first, last, flags)),
    signalDisposition: (sig) => {
      const old = Buffer.alloc(sigactionSize)
      return checked(sigaction(sig, null, old)) < 0 ? 0n : old.readBigUInt64LE(0)
    },
    resetSignal: (sig) => (Number(signal(sig, 0)) === -1 ? -koffi.errno() : 0),
    clearSignalMask: () => checked(sigprocmask(SIG_SETMASK, Buffer.alloc(128), null)),
    getrlimit: (resource) => {
      const limits = new BigUint64Array(2)
      const result = checked(getrlimit(resource, limits))
      return result < 0 ? result : { soft: limits[0] ?? 0n, hard: limits[1] ?? 0n }
    },
    setrlimit: (resource, soft, hard) => checked(setrlimit(resource, new BigUint64Array([soft, hard]))),
    chdir: (path) => checked(chdir(path)),
    umask: (mask) => Number(umask(mask)),
    setsid: () => checked(setsid()),
    getpid: () => Number(getpid()),
    getppid: () => Number(getppid()),
    prctl: (option, a2, a3, a4, a5) => checked(prctl(option, a2, a3, a4, a5)),
    access: (path, mode) => checked(access(path, mode)),
    prepareFilter: (bpf): NodePreparedFilter => {
      const filter = Buffer.from(bpf)
      const program = Buffer.alloc(16)
      program.writeUInt16LE(bpf.byteLength / 8, 0)
      program.writeBigUInt64LE(koffi.address(filter), 8)
      return { instructions: bpf.byteLength / 8, program, filter }
    },
    installFilter: (prepared, flags) =>
      checked(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, (prepared as NodePreparedFilter).program)),
    prepareExec: (path, argv, env): NodePreparedExec => {
      const args = pointerTable(argv)
      const vars = pointerTable(env)
      return {
        path,
        pathBytes: Buffer.from(`${path}\0`),
        argvTable: args.table,
        envTable: vars.table,
        keepAlive: [...args.strings, ...vars.strings]
      }
    },
    execve: (prepared) => {
      const exec = prepared as NodePreparedExec
      return checked(execve(exec.pathBytes, exec.argvTable, exec.envTable))
    },
    exit: (code) => {
      exit(code)
      throw new Error("_exit returned")
    }
  }
}

let native: Native | undefined

/** The koffi binding, loaded on first use. */
export const nodeNative = (): Native => (native ??= load())
