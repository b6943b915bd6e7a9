/**
 * Whether the C environment (libc's `environ`) is unchanged since the last
 * look, told without reading a variable. Node's `process.env` (in the main
 * thread) and Deno's `Deno.env` are views of it: every read goes through
 * getenv and every write through setenv/unsetenv, so reading the whole of it
 * for each spawn cost Node 0.05-0.1 ms (each variable one trip into C++), far
 * more than the rest of the environment's handling.
 *
 * The look takes the `environ` array as its pointers: setenv and unsetenv
 * never change a "NAME=value" string in place (a new value is a string of its
 * own, put in its slot; glibc may hand an old one out again, with the same
 * text), and they move, add or drop pointers in the array, or move the array.
 * So the same array address with the same pointers, in the same order, is the
 * same environment. A native addon writing into a string in place would go
 * unseen: nothing in Node or Deno does.
 *
 * The array is read with process_vm_readv on this process, which stops at an
 * unmapped page instead of faulting, so a look never reads past what exists;
 * where that call is refused (a seccomp profile, as Docker's default without
 * CAP_SYS_PTRACE) or the array does not fit the buffer, the look says
 * "changed" and the environment is read as before.
 */
import { cString, type Libc } from "../libc.ts"

/** Up to this many variables the look works (the buffer holds their pointers and the NULL after them). */
const maxEntries = 1023

/** RTLD_DEFAULT for dlsym: the global scope, where the executable's or libc's `environ` is. */
const globalScope = 0

/**
 * A probe over a libc binding that may not be loaded yet (`libc()` undefined:
 * the probe says "changed" until it is). Each call answers whether the
 * environment is the one the previous call saw, and remembers the one it saw.
 *
 * @example
 * ```ts
 * import { environProbe } from "./environ.ts"
 *
 * declare const libc: import("../libc.ts").Libc
 * const unchanged = environProbe(() => libc)
 * unchanged() // false: nothing seen before
 * unchanged() // true, unless a variable was set or removed in between
 * ```
 */
export const environProbe = (libc: () => Libc | undefined): (() => boolean) => {
  // Over ArrayBuffers of their own: memory the kernel writes to must not move (a small typed array can, in V8).
  const iovecs = new BigUint64Array(new ArrayBuffer(32))
  const seen = new BigUint64Array(new ArrayBuffer(8 * (maxEntries + 1)))
  const last = new BigUint64Array(maxEntries + 1)
  const word = new Uint8Array(new ArrayBuffer(8))
  const wordView = new DataView(word.buffer)
  let bound: { readonly libc: Libc; readonly environ: bigint; readonly pid: number; readonly local: bigint; readonly remote: bigint } | undefined
  let lastArray = 0n
  let lastCount = -1
  return () => {
    if (bound === undefined) {
      const loaded = libc()
      if (loaded === undefined) return false
      const environ = BigInt(loaded.call.dlsym(globalScope, cString("environ")))
      if (environ === 0n) return false
      const iovecAddress = loaded.address(new Uint8Array(iovecs.buffer))
      bound = { libc: loaded, environ, pid: Number(loaded.call.getpid()), local: iovecAddress, remote: iovecAddress + 16n }
      iovecs[0] = loaded.address(new Uint8Array(seen.buffer))
      iovecs[1] = BigInt(seen.byteLength)
      iovecs[3] = BigInt(seen.byteLength)
    }
    const { libc: c, environ, pid, local, remote } = bound
    // `environ` itself is a variable of libc's (or the executable's): always there to copy.
    c.call.memcpy(word, environ, 8)
    const array = wordView.getBigUint64(0, true)
    let count = -1
    if (array !== 0n) {
      iovecs[2] = array
      const read = Number(c.call.process_vm_readv(pid, local, 1, remote, 1, 0))
      const words = read > 0 ? Math.floor(read / 8) : 0
      for (let at = 0; at < words; at++) {
        if (seen[at] === 0n) {
          count = at
          break
        }
      }
    }
    // Unreadable, too many variables, or no array at all (a cleared environment): not certain, so read it.
    if (count < 0) {
      lastCount = -1
      return false
    }
    let same = lastCount === count && lastArray === array
    for (let at = 0; same && at < count; at++) same = last[at] === seen[at]
    if (!same) {
      lastArray = array
      last.set(seen.subarray(0, count))
      lastCount = count
    }
    return same
  }
}

/**
 * A probe's answer, trusted only while `readsEnviron` says the object the
 * environment is read from is a view of libc's (a program may put an object
 * of its own in its place, and put the real one back) and said so at the
 * read before too: the snapshot the probe vouches for must have come from
 * what it looks at. `unchanged` is asked first, at every call, so that its
 * last look is always the read before's.
 *
 * @example
 * ```ts
 * import { environProbe, vouchedWhile } from "./environ.ts"
 *
 * declare const libc: import("../libc.ts").Libc
 * const unchanged = vouchedWhile(environProbe(() => libc), () => true)
 * unchanged() // false: no read vouched for before
 * ```
 */
export const vouchedWhile = (unchanged: () => boolean, readsEnviron: () => boolean): (() => boolean) => {
  let lastReadVouchable = false
  return () => {
    const same = unchanged()
    const vouchable = readsEnviron()
    const vouched = same && vouchable && lastReadVouchable
    lastReadVouchable = vouchable
    return vouched
  }
}
