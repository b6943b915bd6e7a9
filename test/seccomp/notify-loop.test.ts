/** The notify receive loop over a fake ListenerSystem: what poll reports becomes RECVs, closes and a stop. */
import { describe, expect, it } from "vitest"
import { makeListenerLoop } from "../../plugins/seccomp/notify/loop.ts"
import type { RawNotification } from "../../plugins/seccomp/notify/struct.ts"
import { fakeListener, rawNotification } from "../helpers/fake-listener.ts"

const POLLHUP = 0x10
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5))

describe("the listener loop", () => {
  it("receives on POLLIN, in order, and hands each decoded notification to its listener's client", async () => {
    const fake = fakeListener()
    const loop = makeListenerLoop(fake.system)
    const seen: Array<RawNotification> = []
    loop.add(7, { onNotification: (n) => seen.push(n), onClosed: () => {} })
    fake.queue(7, rawNotification(1n, { args: [1n, 2n, 3n, 4n, 5n, 0xffff_ffff_ffff_ffffn] }))
    fake.queue(7, rawNotification(0x9000_0000_0000_0002n))
    fake.ready(7)
    await settle()
    expect(seen.map((n) => n.id)).toEqual([1n, 0x9000_0000_0000_0002n])
    expect(seen[0]).toEqual(rawNotification(1n, { args: [1n, 2n, 3n, 4n, 5n, 0xffff_ffff_ffff_ffffn] }))
    loop.remove(7)
  })

  it("ignores ENOENT from RECV (the caller left between poll and RECV) and closes the listener on any other error", async () => {
    const fake = fakeListener()
    const loop = makeListenerLoop(fake.system)
    const seen: Array<bigint> = []
    let closed = 0
    loop.add(7, { onNotification: (n) => seen.push(n.id), onClosed: () => closed++ })
    fake.queue(7, -2)
    fake.queue(7, rawNotification(5n))
    fake.ready(7)
    await settle()
    expect(seen).toEqual([5n])
    expect(closed).toBe(0)
    expect(loop.size()).toBe(1)
    fake.queue(7, -9)
    fake.ready(7)
    await settle()
    expect(closed).toBe(1)
    expect(fake.closed).toEqual([7])
    expect(loop.size()).toBe(0)
  })

  it("POLLHUP closes that listener only and tells its client; the loop stops polling when the last one is gone", async () => {
    const fake = fakeListener()
    const loop = makeListenerLoop(fake.system)
    const closed: Array<number> = []
    loop.add(7, { onNotification: () => {}, onClosed: () => closed.push(7) })
    loop.add(8, { onNotification: () => {}, onClosed: () => closed.push(8) })
    fake.ready(7, POLLHUP)
    await settle()
    expect(closed).toEqual([7])
    expect(loop.size()).toBe(1)
    fake.ready(8, POLLHUP)
    await settle()
    expect(closed).toEqual([7, 8])
    expect(fake.closed).toEqual([7, 8])
    const polls = fake.polls()
    await settle()
    expect(fake.polls()).toBe(polls)
  })

  it("a listener added while poll waits wakes it, and the next round serves the new one", async () => {
    const fake = fakeListener()
    const loop = makeListenerLoop(fake.system)
    loop.add(7, { onNotification: () => {}, onClosed: () => {} })
    await settle()
    const seen: Array<bigint> = []
    loop.add(8, { onNotification: (n) => seen.push(n.id), onClosed: () => {} })
    fake.queue(8, rawNotification(3n))
    fake.ready(8)
    await settle()
    expect(seen).toEqual([3n])
    loop.remove(7)
    loop.remove(8)
  })

  it("a client that throws does not stop the loop", async () => {
    const fake = fakeListener()
    const loop = makeListenerLoop(fake.system)
    const seen: Array<bigint> = []
    loop.add(7, { onNotification: (n) => { seen.push(n.id); throw new Error("boom") }, onClosed: () => {} })
    fake.queue(7, rawNotification(1n))
    fake.ready(7)
    await settle()
    fake.queue(7, rawNotification(2n))
    fake.ready(7)
    await settle()
    expect(seen).toEqual([1n, 2n])
    loop.remove(7)
  })
})
