/** fdStreams' writable over a fake libc: what reaches write(2) for a chunk the pipe takes a little at a time. */
import { describe, expect, it } from "vitest"
import { fdStreams } from "../../core/launch/fd-streams.ts"
import type { Libc } from "../../core/libc.ts"
import type { FdWatcher } from "../../core/poll.ts"

describe("fdStreams().writable", () => {
  it("writes the rest of a chunk from the caller's own bytes, never a copy of them", async () => {
    const chunk = new Uint8Array(64).map((_, index) => index)
    const written: Array<number> = []
    const buffers = new Set<ArrayBufferLike>()
    // A pipe that takes 8 bytes per write: a large input is written in many pieces (20 MB is ~300 of 64 KiB).
    const write = (_fd: unknown, buffer: unknown, length: unknown): number => {
      const bytes = (buffer as Uint8Array).subarray(0, Math.min(8, Number(length)))
      buffers.add(bytes.buffer)
      written.push(...bytes)
      return bytes.byteLength
    }
    const libc = { call: { write, close: () => 0 }, errno: () => 0 } as unknown as Libc
    const watcher: FdWatcher = { watch: () => () => {}, size: () => 0 }
    const writer = fdStreams(libc, watcher).writable(5).getWriter()
    await writer.write(chunk)
    await writer.close()
    expect(written).toEqual([...chunk])
    // A copy of what is left per write made a large input quadratic (40 MB took seconds).
    expect([...buffers]).toEqual([chunk.buffer])
  })
})
