/**
 * Native memory the child runs on between clone and execve: the interpreter's
 * code, mapped once per process (read + execute, never writable again), and
 * stacks with a guard page below them, reused across spawns. The program
 * block itself is a `new ArrayBuffer`, whose memory never moves, kept
 * referenced by the spawn until the child has exec'd or exited.
 */
import { checked, type Libc } from "../libc.ts"
import { constants } from "../arch/generic.ts"

/** Where the interpreter's code lives: its entry point and the code page's range (for the handshake check). */
export interface CodePage {
  readonly entry: bigint
  readonly start: bigint
  readonly end: bigint
}

/** A stack for one child: `top` is where its stack pointer starts. */
export interface Stack {
  readonly top: bigint
}

const stackSize = 64 * 1024

const roundUp = (size: number): number => Math.ceil(size / constants.PAGE_SIZE) * constants.PAGE_SIZE

const mapAnonymous = (libc: Libc, size: number, extraFlags: number): bigint => {
  const address = BigInt(libc.call.mmap(0n, BigInt(size), constants.PROT_READ | constants.PROT_WRITE, constants.MAP_PRIVATE | constants.MAP_ANONYMOUS | extraFlags, -1, 0n))
  if (address === constants.MAP_FAILED || address === -1n) throw new Error(`mmap of ${size} bytes failed with errno ${libc.errno()}`)
  return address
}

/**
 * Copies the interpreter into a fresh mapping and makes it read + execute.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * const page = mapCode(libc, Uint8Array.of(0x0f, 0x05), 0)
 * ```
 */
export const mapCode = (libc: Libc, code: Uint8Array, entry: number): CodePage => {
  const size = roundUp(code.byteLength)
  const start = mapAnonymous(libc, size, 0)
  libc.call.memmove(start, code, code.byteLength)
  const protect = checked(libc.call.mprotect(start, BigInt(size), constants.PROT_READ | constants.PROT_EXEC), libc.errno)
  if (protect < 0) throw new Error(`mprotect of the interpreter failed with errno ${-protect}`)
  return { entry: start + BigInt(entry), start, end: start + BigInt(size) }
}

/**
 * A pool of child stacks: a child running without CLONE_VFORK keeps its stack
 * until it has exec'd, so several may be out at once; the rest wait here.
 *
 * @example
 * ```ts
 * import type { Libc } from "../libc.ts"
 *
 * declare const libc: Libc
 * const stacks = stackPool(libc)
 * const stack = stacks.take()
 * stacks.give(stack)
 * ```
 */
export const stackPool = (libc: Libc): { readonly take: () => Stack; readonly give: (stack: Stack) => void } => {
  const free: Array<Stack> = []
  return {
    take: () => {
      const reused = free.pop()
      if (reused !== undefined) return reused
      const base = mapAnonymous(libc, constants.PAGE_SIZE + stackSize, constants.MAP_STACK)
      // The lowest page stays inaccessible: an overflow faults instead of writing into whatever lies below.
      libc.call.mprotect(base, BigInt(constants.PAGE_SIZE), constants.PROT_NONE)
      return { top: base + BigInt(constants.PAGE_SIZE + stackSize) }
    },
    give: (stack) => void free.push(stack)
  }
}
