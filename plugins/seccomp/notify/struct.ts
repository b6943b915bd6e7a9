/**
 * The kernel's user-notification structs on x86_64 (linux/seccomp.h), as bytes:
 * struct seccomp_notif { u64 id; u32 pid; u32 flags; struct seccomp_data data }
 * with seccomp_data { i32 nr; u32 arch; u64 instruction_pointer; u64 args[6] }
 * (80 bytes), and struct seccomp_notif_resp { u64 id; i64 val; i32 error; u32 flags } (24 bytes).
 */

export const notifSize = 80
export const notifRespSize = 24
/** SECCOMP_USER_NOTIF_FLAG_CONTINUE: let the kernel run the call. */
const FLAG_CONTINUE = 1

/** A notification as the kernel wrote it, before names and rules are looked up. */
export interface RawNotification {
  readonly id: bigint
  readonly pid: number
  readonly syscall: number
  readonly arch: number
  readonly instructionPointer: bigint
  readonly args: readonly [bigint, bigint, bigint, bigint, bigint, bigint]
}

/** Decodes a struct seccomp_notif. */
export const decodeNotification = (bytes: Uint8Array): RawNotification => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, notifSize)
  const arg = (index: number): bigint => view.getBigUint64(32 + 8 * index, true)
  return {
    id: view.getBigUint64(0, true),
    pid: view.getUint32(8, true),
    syscall: view.getInt32(16, true),
    arch: view.getUint32(20, true),
    instructionPointer: view.getBigUint64(24, true),
    args: [arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)]
  }
}

/** How the kernel should finish the call: continue it, or return `value` / -`errno` without running it. */
export type Response =
  | { readonly kind: "continue" }
  | { readonly kind: "return"; readonly value: bigint }
  | { readonly kind: "fail"; readonly errno: number }

/**
 * Writes a struct seccomp_notif_resp into `bytes`. CONTINUE requires val and
 * error to be 0 (else EINVAL); a failure is a negative error.
 */
export const encodeResponse = (bytes: Uint8Array, id: bigint, response: Response): void => {
  bytes.fill(0, 0, notifRespSize)
  const view = new DataView(bytes.buffer, bytes.byteOffset, notifRespSize)
  view.setBigUint64(0, id, true)
  if (response.kind === "return") view.setBigInt64(8, BigInt.asIntN(64, response.value), true)
  if (response.kind === "fail") view.setInt32(16, -response.errno, true)
  if (response.kind === "continue") view.setUint32(20, FLAG_CONTINUE, true)
}
