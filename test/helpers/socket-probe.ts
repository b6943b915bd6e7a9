/** A TCP connect to 127.0.0.1:port made with raw syscalls on the calling thread, for fixtures under fences. */
import { errnoName } from "../../core/errno.ts"
import { type Kernel, memory } from "../../core/host/kernel.ts"
import { constants, structs } from "../../core/arch/generic.ts"

/** "ok", or the errno name of the failing call. */
export const outcome = (result: bigint | number): string => (result >= 0 ? "ok" : errnoName(-Number(result)) ?? String(result))

/** Connects to 127.0.0.1:port in the calling thread's network namespace: "ok" or the errno name. */
export const connectLoopback = (kernel: Kernel, port: number): string => {
  const fd = kernel.syscall("socket", constants.AF_INET, constants.SOCK_STREAM | constants.SOCK_CLOEXEC, 0)
  if (fd < 0n) return outcome(fd)
  const address = memory(structs.sockaddrIn.size)
  const view = new DataView(address.buffer)
  view.setUint16(0, constants.AF_INET, true)
  view.setUint16(2, port, false)
  view.setUint32(4, constants.INADDR_LOOPBACK, false)
  const result = kernel.syscall("connect", fd, kernel.address(address), structs.sockaddrIn.size)
  kernel.syscall("close", fd)
  return outcome(result)
}
