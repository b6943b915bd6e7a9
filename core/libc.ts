/**
 * The C library functions kakoi calls, declared once for all three FFIs:
 * each adapter turns `libcSignatures` into its own declarations (koffi types,
 * `Deno.dlopen` parameters, `bun:ffi` args) and hands back the raw functions as
 * a `Libc`. Everything built on them (the Native port, the control channels)
 * is then written once.
 */

/**
 * C types as the three FFIs can all express them: integers by width, `buffer`
 * for a Uint8Array (or null) the call reads or fills. Addresses C hands out
 * travel as `u64` (the same register on x86_64), so no runtime's own pointer
 * type (a koffi external, a Deno pointer object, a Bun number) leaks out; memory
 * behind them is read with memcpy into a buffer.
 *
 * @example
 * ```ts
 * import type { CType } from "./libc.ts"
 *
 * const count: CType = "u64"
 * ```
 */
export type CType = "i32" | "u32" | "i64" | "u64" | "buffer" | "void"

/** A C prototype: argument types and the return type. */
export interface CSignature {
  readonly args: ReadonlyArray<CType>
  readonly returns: CType
}

/** A value an FFI accepts for one of the types above. */
export type CValue = number | bigint | Uint8Array | null

/** A bound C function: the C return value as is (-1 on failure for most of libc). */
export type CFunction = (...args: ReadonlyArray<CValue>) => number | bigint

/** The libc functions kakoi binds, by their C names. */
export type LibcFunction =
  | "read" | "write" | "send" | "close" | "fcntl" | "close_range" | "socketpair" | "pipe2"
  | "getrlimit" | "setrlimit" | "chdir" | "umask" | "setsid"
  | "getpid" | "getppid" | "prctl" | "access" | "syscall" | "execve" | "_exit" | "memfd_create" | "pread"
  | "process_vm_readv" | "__errno_location" | "memcpy" | "strlen" | "free"
  | "clone" | "mmap" | "mprotect" | "memmove" | "pipe2" | "open" | "waitid" | "lseek" | "poll" | "dlsym" | "getenv"

/**
 * x86_64 glibc prototypes. Variadic functions (fcntl, prctl, syscall) get a
 * fixed prototype: on x86_64 integer arguments travel in the same registers
 * either way, and bun:ffi cannot call varargs at all. Signals go through the
 * raw syscalls, since glibc refuses to touch 32 and 33 (its own), which Deno
 * leaves ignored.
 *
 * @example
 * ```ts
 * import { libcSignatures } from "./libc.ts"
 *
 * libcSignatures.read // { args: ["i32", "buffer", "u64"], returns: "i64" }
 * ```
 */
export const libcSignatures: Readonly<Record<LibcFunction, CSignature>> = {
  read: { args: ["i32", "buffer", "u64"], returns: "i64" },
  write: { args: ["i32", "buffer", "u64"], returns: "i64" },
  send: { args: ["i32", "buffer", "u64", "i32"], returns: "i64" },
  close: { args: ["i32"], returns: "i32" },
  fcntl: { args: ["i32", "i32", "i64"], returns: "i32" },
  close_range: { args: ["u32", "u32", "i32"], returns: "i32" },
  socketpair: { args: ["i32", "i32", "i32", "buffer"], returns: "i32" },
  pipe2: { args: ["buffer", "i32"], returns: "i32" },
  getrlimit: { args: ["i32", "buffer"], returns: "i32" },
  setrlimit: { args: ["i32", "buffer"], returns: "i32" },
  chdir: { args: ["buffer"], returns: "i32" },
  umask: { args: ["u32"], returns: "u32" },
  setsid: { args: [], returns: "i32" },
  getpid: { args: [], returns: "i32" },
  getppid: { args: [], returns: "i32" },
  prctl: { args: ["i32", "u64", "u64", "u64", "u64"], returns: "i32" },
  access: { args: ["buffer", "i32"], returns: "i32" },
  // Memory arguments go as addresses (Libc.address), so one prototype serves every syscall.
  syscall: { args: ["i64", "i64", "i64", "i64", "i64", "i64"], returns: "i64" },
  execve: { args: ["buffer", "buffer", "buffer"], returns: "i32" },
  _exit: { args: ["i32"], returns: "void" },
  memfd_create: { args: ["buffer", "u32"], returns: "i32" },
  pread: { args: ["i32", "buffer", "u64", "i64"], returns: "i64" },
  // Six arguments (flags last), one more than the `syscall` prototype carries: glibc's wrapper instead.
  process_vm_readv: { args: ["i32", "u64", "u64", "u64", "u64", "u64"], returns: "i64" },
  __errno_location: { args: [], returns: "u64" },
  memcpy: { args: ["buffer", "u64", "u64"], returns: "u64" },
  strlen: { args: ["u64"], returns: "u64" },
  free: { args: ["u64"], returns: "void" },
  // The native launcher (core/launch): glibc's clone runs fn(arg) on the given stack in the child. Its
  // variadic tail (parent_tid, tls, child_tid) is read only for the flags that ask for it: CLONE_PIDFD
  // stores the pidfd at parent_tid, the fifth argument, and nothing uses the other two.
  clone: { args: ["u64", "u64", "i32", "u64", "u64"], returns: "i32" },
  mmap: { args: ["u64", "u64", "i32", "i32", "i32", "i64"], returns: "u64" },
  mprotect: { args: ["u64", "u64", "i32"], returns: "i32" },
  // memmove(dest, src, n) with dest an address: copies a buffer into C memory (memcpy copies out).
  memmove: { args: ["u64", "buffer", "u64"], returns: "u64" },
  open: { args: ["buffer", "i32", "u32"], returns: "i32" },
  waitid: { args: ["i32", "u32", "buffer", "i32"], returns: "i32" },
  lseek: { args: ["i32", "i64", "i32"], returns: "i64" },
  // poll(fds, nfds, timeout) on the calling thread (the launcher's short wait for a child's exit): fds as an address.
  poll: { args: ["u64", "u64", "i32"], returns: "i32" },
  // dlsym(RTLD_DEFAULT, name): where a C variable such as `environ` lives (libc.so.6 has dlsym since glibc 2.34).
  dlsym: { args: ["u64", "buffer"], returns: "u64" },
  // getenv(name): Node's one-time check that its process.env writes libc's environment, read back by name.
  getenv: { args: ["buffer"], returns: "u64" }
}

/** libc as one runtime's FFI binds it: the functions above plus the two things every FFI does its own way. */
export interface Libc {
  readonly call: Readonly<Record<LibcFunction, CFunction>>
  /** The calling thread's errno, read right after a failed call. */
  readonly errno: () => number
  /**
   * The address of a buffer's first byte. Only for buffers over a
   * `new ArrayBuffer(n)`, whose memory never moves (V8 keeps small typed
   * arrays on its heap, where a GC may move them).
   */
  readonly address: (buffer: Uint8Array) => bigint
}

/**
 * Binds every entry of a signature table with one FFI's `bindOne`; used by
 * each adapter for libc and libseccomp alike.
 *
 * @example
 * ```ts
 * import { bindAll, libcSignatures } from "./libc.ts"
 *
 * const call = bindAll(libcSignatures, (name, signature) => (...args) => 0)
 * ```
 */
export const bindAll = <Name extends string>(
  signatures: Readonly<Record<Name, CSignature>>,
  bindOne: (name: Name, signature: CSignature) => CFunction
): Record<Name, CFunction> => {
  const bound: Partial<Record<Name, CFunction>> = {}
  for (const name of Object.keys(signatures) as Array<Name>) bound[name] = bindOne(name, signatures[name])
  return bound as Record<Name, CFunction>
}

/** `count` bytes copied out of C memory at `address`. */
export const copyOut = (call: Readonly<Record<LibcFunction, CFunction>>, address: bigint, count: number): Uint8Array => {
  const bytes = new Uint8Array(count)
  if (count > 0) call.memcpy(bytes, address, count)
  return bytes
}

/** The C string at `address`, decoded as UTF-8. */
export const copyString = (call: Readonly<Record<LibcFunction, CFunction>>, address: bigint): string =>
  new TextDecoder().decode(copyOut(call, address, Number(call.strlen(address))))

/**
 * errno read through `__errno_location()`, for FFIs that do not save it
 * themselves (Deno, Bun). Valid right after a call on the same thread.
 */
export const errnoOf = (call: Readonly<Record<LibcFunction, CFunction>>): (() => number) => () =>
  new DataView(copyOut(call, BigInt(call.__errno_location()), 4).buffer).getInt32(0, true)

/** A NUL-terminated UTF-8 copy of a string, for `buffer` arguments that C reads as `const char *`. */
export const cString = (value: string): Uint8Array => new TextEncoder().encode(`${value}\0`)

/** Memory a native call in progress reads through addresses (see `keepingReachable`). */
let inFlight: ReadonlyArray<unknown> = []

/**
 * Runs `call` with `memory` reachable from a module variable: a buffer whose
 * address was taken for a native call cannot be freed by the garbage
 * collector before the kernel is done with it, even when nothing else refers
 * to it (a temporary path or struct). Native calls are synchronous, so one
 * slot is enough.
 *
 * @example
 * ```ts
 * import { keepingReachable } from "./libc.ts"
 *
 * declare const libc: import("./libc.ts").Libc
 * const path = new TextEncoder().encode("/etc\0")
 * const fd = keepingReachable([path], () => libc.call.syscall(257, -100, libc.address(path), 0, 0, 0))
 * ```
 */
export const keepingReachable = <T>(memory: ReadonlyArray<unknown>, call: () => T): T => {
  const outer = inFlight
  inFlight = memory
  try {
    return call()
  } finally {
    inFlight = outer
  }
}

/**
 * -errno when a C call failed (returned -1), else its result as a number: the
 * kernel's convention, so callers never read a stale errno later.
 *
 * @example
 * ```ts
 * import { checked } from "./libc.ts"
 *
 * checked(-1, () => 9) // -9 (EBADF)
 * ```
 */
export const checked = (result: number | bigint, errno: () => number): number =>
  Number(result) === -1 ? -errno() : Number(result)
