/**
 * The Native port: the libc primitives the launcher and the in-process loader
 * need. Each adapter binds them with its runtime's FFI (koffi, Deno.dlopen,
 * bun:ffi); everything above this interface is written once.
 *
 * Calls return the raw result; where the C call fails they return `-errno`
 * (like the kernel) so callers never read a stale errno.
 */
import { Context } from "effect"

/** Memory prepared ahead of time so nothing is allocated between seccomp and execve. */
export interface PreparedExec {
  readonly path: string
}

export interface PreparedFilter {
  readonly instructions: number
}

export interface Native {
  /** read(2) into `buffer`; bytes read, 0 at end of file, or -errno. */
  readonly read: (fd: number, buffer: Uint8Array) => number
  /** write(2) of the whole buffer; bytes written or -errno. */
  readonly write: (fd: number, buffer: Uint8Array) => number
  /** fcntl(fd, F_GETFD / F_SETFD). */
  readonly getFdFlags: (fd: number) => number
  readonly setFdFlags: (fd: number, flags: number) => number
  /** close_range(2). */
  readonly closeRange: (first: number, last: number, flags: number) => number
  /** The current disposition of a signal: 0 = SIG_DFL, 1 = SIG_IGN, other = a handler. */
  readonly signalDisposition: (signal: number) => bigint
  /** Set a signal's disposition back to SIG_DFL. */
  readonly resetSignal: (signal: number) => number
  /** Unblock every signal in the calling thread. */
  readonly clearSignalMask: () => number
  readonly getrlimit: (resource: number) => { readonly soft: bigint; readonly hard: bigint } | number
  readonly setrlimit: (resource: number, soft: bigint, hard: bigint) => number
  readonly chdir: (path: string) => number
  readonly umask: (mask: number) => number
  readonly setsid: () => number
  readonly getpid: () => number
  readonly getppid: () => number
  /** prctl(2) with integer arguments. */
  readonly prctl: (option: number, arg2: bigint, arg3: bigint, arg4: bigint, arg5: bigint) => number
  /** access(2): 0 or -errno. */
  readonly access: (path: string, mode: number) => number
  /** The lowest fd number not in use (what the next new fd will get), or -errno. */
  readonly lowestFreeFd: () => number
  /** Copy a BPF program into native memory as a `struct sock_fprog`. */
  readonly prepareFilter: (bpf: Uint8Array) => PreparedFilter
  /** seccomp(SECCOMP_SET_MODE_FILTER, flags, prog): >= 0 or -errno. */
  readonly installFilter: (filter: PreparedFilter, flags: number) => number
  /** Build argv and envp tables in native memory. */
  readonly prepareExec: (path: string, argv: ReadonlyArray<string>, env: ReadonlyArray<string>) => PreparedExec
  /** execve(2); returns only on failure, with -errno. */
  readonly execve: (prepared: PreparedExec) => number
  /** _exit(2): leaves without running any of the runtime's exit handlers. */
  readonly exit: (code: number) => never
}

/** The Native port as an Effect service, for code in the parent that needs libc (in-process loading). */
const NativeLibraryBase: Context.ServiceClass<NativeLibrary, "kakoi/NativeLibrary", Native> =
  Context.Service<NativeLibrary, Native>()("kakoi/NativeLibrary")
export class NativeLibrary extends NativeLibraryBase {}
