/**
 * The kernel's user-notification structs (linux/seccomp.h), as bytes:
 * struct seccomp_notif { u64 id; u32 pid; u32 flags; struct seccomp_data data }
 * with seccomp_data { i32 nr; u32 arch; u64 instruction_pointer; u64 args[6] }
 * (80 bytes), and struct seccomp_notif_resp { u64 id; i64 val; i32 error; u32 flags } (24 bytes).
 * The layouts are core/arch's (the same on x86_64 and aarch64).
 */
import { constants, structs } from "../../../core/arch/generic.ts"

const { seccompNotif: notif, seccompNotifResp: resp } = structs

/**
 * sizeof(struct seccomp_notif): the buffer a receive fills.
 *
 * @example
 * ```ts
 * import { decodeNotification, notifSize } from "./struct.ts"
 *
 * const received = new Uint8Array(notifSize) // SECCOMP_IOCTL_NOTIF_RECV writes here
 * decodeNotification(received).id // 0n
 * ```
 */
export const notifSize: number = notif.size
/**
 * sizeof(struct seccomp_notif_resp): the buffer a send reads.
 *
 * @example
 * ```ts
 * import { encodeResponse, notifRespSize } from "./struct.ts"
 *
 * const response = new Uint8Array(notifRespSize)
 * encodeResponse(response, 7n, { kind: "continue" })
 * ```
 */
export const notifRespSize: number = resp.size
/** SECCOMP_USER_NOTIF_FLAG_CONTINUE: let the kernel run the call. */
const FLAG_CONTINUE = constants.SECCOMP_USER_NOTIF_FLAG_CONTINUE

/**
 * A notification as the kernel wrote it, before names and rules are looked up.
 *
 * @example
 * ```ts
 * import type { RawNotification } from "./struct.ts"
 *
 * const mkdir: RawNotification = { id: 1n, pid: 4242, syscall: 83, arch: 0xc000003e, instructionPointer: 0n, args: [0x7ffd0000n, 0o755n, 0n, 0n, 0n, 0n] }
 * ```
 */
export interface RawNotification {
  readonly id: bigint
  readonly pid: number
  readonly syscall: number
  readonly arch: number
  readonly instructionPointer: bigint
  readonly args: readonly [bigint, bigint, bigint, bigint, bigint, bigint]
}

/**
 * Decodes a struct seccomp_notif.
 *
 * @example
 * ```ts
 * import { decodeNotification, notifSize } from "./struct.ts"
 *
 * const bytes = new Uint8Array(notifSize)
 * new DataView(bytes.buffer).setInt32(16, 83, true) // data.nr
 * decodeNotification(bytes).syscall // 83
 * ```
 */
export const decodeNotification = (bytes: Uint8Array): RawNotification => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, notifSize)
  const arg = (index: number): bigint => view.getBigUint64(notif.args + 8 * index, true)
  return {
    id: view.getBigUint64(notif.id, true),
    pid: view.getUint32(notif.pid, true),
    syscall: view.getInt32(notif.nr, true),
    arch: view.getUint32(notif.arch, true),
    instructionPointer: view.getBigUint64(notif.instructionPointer, true),
    args: [arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)]
  }
}

/**
 * How the kernel should finish the call: continue it, or return `value` / -`errno` without running it.
 *
 * @example
 * ```ts
 * import type { Response } from "./struct.ts"
 *
 * const denied: Response = { kind: "fail", errno: 1 }
 * const faked: Response = { kind: "return", value: 4242n }
 * ```
 */
export type Response =
  | { readonly kind: "continue" }
  | { readonly kind: "return"; readonly value: bigint }
  | { readonly kind: "fail"; readonly errno: number }

/**
 * Writes a struct seccomp_notif_resp into `bytes`. CONTINUE requires val and
 * error to be 0 (else EINVAL); a failure is a negative error.
 *
 * @example
 * ```ts
 * import { encodeResponse, notifRespSize } from "./struct.ts"
 *
 * const bytes = new Uint8Array(notifRespSize)
 * encodeResponse(bytes, 7n, { kind: "fail", errno: 13 })
 * new DataView(bytes.buffer).getInt32(16, true) // -13
 * ```
 */
export const encodeResponse = (bytes: Uint8Array, id: bigint, response: Response): void => {
  bytes.fill(0, 0, notifRespSize)
  const view = new DataView(bytes.buffer, bytes.byteOffset, notifRespSize)
  view.setBigUint64(resp.id, id, true)
  if (response.kind === "return") view.setBigInt64(resp.val, BigInt.asIntN(64, response.value), true)
  if (response.kind === "fail") view.setInt32(resp.error, -response.errno, true)
  if (response.kind === "continue") view.setUint32(resp.flags, FLAG_CONTINUE, true)
}
