/**
 * Reading what a notified call's pointer arguments point to (a path, a
 * buffer) from the child's memory, for handlers. The read goes through
 * process_vm_readv, then the notification id is checked again with
 * SECCOMP_IOCTL_NOTIF_ID_VALID: if the caller died in between, its pid may
 * already belong to another process, and the bytes are discarded, not trusted.
 *
 * The kernel's TOCTOU warning (seccomp_unotify(2)) holds even for a read that
 * passes that check: another thread of the child, or another process sharing
 * the memory, can change it after the handler looked and before the kernel
 * runs the call. So never answer `allow` (CONTINUE) after inspecting memory:
 * the kernel would read it again. Act on what was read instead (paths.ts:
 * `resolvePath`, then `answer.emulate` / `answer.fd`), or only log it.
 */
import type { ArgIndex } from "../model.ts"
import { MemoryReadError } from "./errors.ts"
import type { Notification } from "./handler.ts"
import { errno } from "../../../core/arch/generic.ts"

/**
 * How the session that received a notification reaches its child's memory.
 *
 * @example
 * ```ts
 * import type { ChildMemory } from "./memory.ts"
 *
 * // A fake child for unit tests: its memory is one buffer at address 0x1000.
 * const memory = new TextEncoder().encode("/etc/passwd\0")
 * const fake: ChildMemory = {
 *   read: (address, length) => memory.slice(Number(address - 0x1000n), Number(address - 0x1000n) + length),
 *   pending: () => true
 * }
 * ```
 */
export interface ChildMemory {
  /** Up to `length` bytes at `address` (fewer at an unmapped page), or -errno. */
  readonly read: (address: bigint, length: number) => Uint8Array | number
  /** Whether the kernel still holds the call (SECCOMP_IOCTL_NOTIF_ID_VALID on a listener still open). */
  readonly pending: () => boolean
}

const { EPERM, ESRCH, EFAULT } = errno
/** PATH_MAX: what a path argument may take, NUL included. */
const defaultMaxBytes = 4096
/** A read is one iovec per page and IOV_MAX is 1024; 1 MiB stays well within it. */
const maxLength = 1 << 20

// A notification is plain data that also travels through observers and streams; its reader rides along here.
const memories = new WeakMap<Notification, ChildMemory>()

/**
 * Lets `readBytes`/`readString` reach the child of `notification` (done by the session that received it).
 *
 * @example
 * ```ts
 * import { readString, type Notification } from "kakoi/seccomp"
 * import { attachMemory } from "./memory.ts"
 *
 * declare const notification: Notification
 * const path = new TextEncoder().encode("/tmp/x\0")
 * attachMemory(notification, { read: (_address, length) => path.slice(0, length), pending: () => true })
 * readString(notification, 0) // "/tmp/x"
 * ```
 */
export const attachMemory = (notification: Notification, memory: ChildMemory): void => {
  memories.set(notification, memory)
}

const addressOf = (notification: Notification, pointer: ArgIndex | bigint): bigint =>
  typeof pointer === "bigint" ? pointer : notification.args[pointer]

/** The bytes read (possibly fewer than asked), after the id re-check; throws MemoryReadError. */
const readChecked = (notification: Notification, address: bigint, length: number): Uint8Array => {
  if (!Number.isSafeInteger(length) || length < 0 || length > maxLength) {
    throw new RangeError(`Cannot read ${length} bytes of child memory: the length must be an integer from 0 to ${maxLength}`)
  }
  const fields = { pid: notification.pid, address, length }
  const memory = memories.get(notification)
  if (memory === undefined) throw new MemoryReadError({ ...fields, reason: "Detached" })
  const read = memory.read(address, length)
  // Checked after the read, whatever its outcome: only a call still pending proves the pid was still our caller.
  if (!memory.pending() || read === -ESRCH) throw new MemoryReadError({ ...fields, reason: "Gone", errno: typeof read === "number" ? -read : undefined })
  if (typeof read === "number") throw new MemoryReadError({ ...fields, reason: read === -EPERM ? "Denied" : "Unreadable", errno: -read })
  return read
}

/**
 * Exactly `length` bytes of the child's memory at `pointer`: an argument
 * index (its value is the address) or an address. Throws MemoryReadError
 * (`Gone`, `Unreadable`, `Denied`, `Detached`); a handler that lets it
 * escape denies the call.
 *
 * Never answer `allow` after this: the child can change the memory after it
 * returns, and CONTINUE makes the kernel read it again (TOCTOU). Log it, or
 * answer without running the call.
 *
 * @example
 * ```ts
 * import { answer, readBytes, type NotifyHandler } from "kakoi/seccomp"
 *
 * // write(fd, buf, count) to an fd the policy notifies: record the head, answer as if written, never CONTINUE.
 * const sink: NotifyHandler = (call) => {
 *   const head = readBytes(call, 1, Math.min(Number(call.args[2]), 16))
 *   console.error(`pid ${call.pid} wrote ${call.args[2]} bytes starting ${Array.from(head).join(" ")}`)
 *   return answer.value(call.args[2])
 * }
 * ```
 */
export const readBytes = (notification: Notification, pointer: ArgIndex | bigint, length: number): Uint8Array => {
  const address = addressOf(notification, pointer)
  const bytes = readChecked(notification, address, length)
  if (bytes.length < length) throw new MemoryReadError({ reason: "Unreadable", pid: notification.pid, address, length, errno: EFAULT })
  return bytes
}

/**
 * The NUL-terminated string at `pointer` (an argument index or an address) in
 * the child's memory, decoded as UTF-8 (invalid bytes become U+FFFD; use
 * `readBytes` for exact bytes). Reads at most `maxBytes` (default 4096,
 * PATH_MAX) including the NUL. Throws MemoryReadError (`Gone`, `Unreadable`,
 * `Denied`, `Unterminated`, `Detached`); a handler that lets it escape
 * denies the call.
 *
 * Never answer `allow` after this: the child can change the string after it
 * returns and before the kernel reads it again for the call (TOCTOU). For a
 * path, `resolvePath` reads it once and lets the supervisor act on it.
 *
 * @example
 * ```ts
 * import { answer, policy, readString } from "kakoi/seccomp"
 *
 * // Deny every unlink, and log what it named (whatever the name, the call does not run).
 * const fence = policy((rule) => {
 *   rule.notify((call) => (console.error(`unlink "${readString(call, 0)}" denied`), answer.fail("EACCES")), "unlink")
 * }, { default: "allow" })
 * ```
 */
export const readString = (notification: Notification, pointer: ArgIndex | bigint, maxBytes: number = defaultMaxBytes): string => {
  const address = addressOf(notification, pointer)
  const bytes = readChecked(notification, address, maxBytes)
  const end = bytes.indexOf(0)
  if (end < 0) {
    const reason = bytes.length < maxBytes ? "Unreadable" : "Unterminated"
    throw new MemoryReadError({ reason, pid: notification.pid, address, length: maxBytes, errno: reason === "Unreadable" ? EFAULT : undefined })
  }
  return new TextDecoder().decode(bytes.subarray(0, end))
}
