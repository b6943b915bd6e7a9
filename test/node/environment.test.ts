/**
 * Node's process.env as the children get it where libc's environment does not
 * tell (the probe in adapters/node/runtime.ts must not be trusted there): a
 * process.env the program replaced with an object of its own (before kakoi
 * was loaded, as a test framework does, or after), and a worker thread's
 * process.env, which is a copy of its own.
 */
import { execFileSync } from "node:child_process"
import { Worker } from "node:worker_threads"
import { describe, expect, it } from "vitest"
import { run } from "../../adapters/node/mod.ts"

const marker = async (): Promise<string | undefined> =>
  /^KAKOI_TEST_NODE=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1]

describe("the supervisor's environment on Node", () => {
  it("follows a process.env replaced by an object of the program's, and the real one again", async () => {
    process.env.KAKOI_TEST_NODE = "real"
    expect(await marker()).toBe("real")
    const real = process.env
    try {
      process.env = { ...real, KAKOI_TEST_NODE: "replaced" }
      expect(await marker()).toBe("replaced")
      process.env.KAKOI_TEST_NODE = "changed"
      expect(await marker()).toBe("changed")
    } finally {
      process.env = real
    }
    expect(await marker()).toBe("real")
    delete process.env.KAKOI_TEST_NODE
    expect(await marker()).toBeUndefined()
  })

  it("follows a copy of process.env put in place before kakoi was loaded, as a test framework does", () => {
    const script = `
      process.env = { ...process.env, KAKOI_TEST_NODE: "copy" }
      const { run } = await import(${JSON.stringify(new URL("../../adapters/node/mod.ts", import.meta.url).pathname)})
      const marker = async () => /^KAKOI_TEST_NODE=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1] ?? null
      const seen = []
      for (const value of ["copy", "one", "two", null]) {
        if (value === null) delete process.env.KAKOI_TEST_NODE
        else process.env.KAKOI_TEST_NODE = value
        seen.push(await marker())
      }
      console.log(JSON.stringify(seen))
    `
    const output = execFileSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(JSON.parse(output)).toEqual(["copy", "one", "two", null])
  })

  it("spawns with a frozen copy of process.env put in place before kakoi was loaded (the check's write is refused)", () => {
    const script = `
      process.env = Object.freeze({ ...process.env, KAKOI_TEST_NODE: "frozen" })
      const { run } = await import(${JSON.stringify(new URL("../../adapters/node/mod.ts", import.meta.url).pathname)})
      const seen = []
      for (let round = 0; round < 3; round++) seen.push(/^KAKOI_TEST_NODE=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1] ?? null)
      console.log(JSON.stringify(seen))
    `
    const output = execFileSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(JSON.parse(output)).toEqual(["frozen", "frozen", "frozen"])
  })

  it("gives a worker thread's children that worker's own process.env as it is at each spawn", async () => {
    const source = `
      const { parentPort } = require("node:worker_threads")
      const { run } = require(${JSON.stringify(new URL("../../adapters/node/mod.ts", import.meta.url).pathname)})
      const marker = async () => /^KAKOI_TEST_NODE=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1] ?? null
      ;(async () => {
        const seen = []
        for (const value of ["one", "two", "one", null]) {
          if (value === null) delete process.env.KAKOI_TEST_NODE
          else process.env.KAKOI_TEST_NODE = value
          seen.push(await marker())
        }
        parentPort.postMessage(seen)
      })().catch((error) => parentPort.postMessage(String(error)))
    `
    const worker = new Worker(source, { eval: true })
    const seen = await new Promise((resolve) => worker.once("message", resolve))
    await worker.terminate()
    expect(seen).toEqual(["one", "two", "one", null])
    // The worker's copy never reached the main thread's environment.
    expect(await marker()).toBeUndefined()
  })

  it("follows a Proxy put in place before kakoi was loaded that writes through to libc's environment but reads values of its own", () => {
    // As a layered configuration does: writes reach the real environment, some reads come from elsewhere.
    const script = `
      const real = process.env
      const overrides = {}
      process.env = new Proxy(real, {
        get: (target, name) => (typeof name === "string" && Object.hasOwn(overrides, name) ? overrides[name] : target[name]),
        ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...Object.keys(overrides)])],
        getOwnPropertyDescriptor: (target, name) =>
          Object.hasOwn(overrides, name) ? { value: overrides[name], writable: true, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(target, name)
      })
      const { run } = await import(${JSON.stringify(new URL("../../adapters/node/mod.ts", import.meta.url).pathname)})
      const marker = async () => /^KAKOI_TEST_NODE=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1] ?? null
      const seen = []
      for (const value of ["one", "two", null]) {
        if (value === null) delete overrides.KAKOI_TEST_NODE
        else overrides.KAKOI_TEST_NODE = value
        seen.push(await marker())
      }
      console.log(JSON.stringify(seen))
    `
    const output = execFileSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(JSON.parse(output)).toEqual(["one", "two", null])
  })

  it("does not take a worker's own process.env for libc's while the main thread changes libc's environment during its first spawn", () => {
    // The worker's first spawn asks once whether its process.env writes libc's environment; a write by another thread then must not answer for it.
    // In a process of its own: the main thread's writes must reach libc's environment (this file's process.env may be a copy).
    const worker = `
      const { parentPort } = await import("node:worker_threads")
      const { run } = await import(${JSON.stringify(new URL("../../adapters/node/mod.ts", import.meta.url).pathname)})
      const marker = async () => /^KAKOI_TEST_NODE=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1] ?? null
      const next = () => new Promise((resolve) => parentPort.once("message", resolve))
      try {
        process.env.KAKOI_TEST_NODE = "secret"
        parentPort.postMessage("ready")
        await next()
        const seen = [await marker()]
        parentPort.postMessage("spawned")
        await next()
        // Once more with the main thread quiet, then the removal: only a read can tell it now.
        seen.push(await marker())
        delete process.env.KAKOI_TEST_NODE
        seen.push(await marker())
        parentPort.postMessage(seen)
      } catch (error) {
        parentPort.postMessage(String(error))
      }
    `
    const script = `
      const { Worker } = await import("node:worker_threads")
      const rounds = []
      // The window is a few microseconds: several workers, so that the main thread's writes fall into it.
      for (let round = 0; round < 8; round++) {
        const worker = new Worker(${JSON.stringify(worker)}, { eval: true, type: "module" })
        const next = () => new Promise((resolve) => worker.once("message", resolve))
        await next()
        let spawned = false
        const firstSpawn = next().then(() => (spawned = true))
        worker.postMessage("go")
        for (let count = 0; !spawned; ) {
          for (let step = 0; step < 5000; step++) process.env.KAKOI_TEST_NOISE = String(count++ % 1000)
          await new Promise((resolve) => setImmediate(resolve))
        }
        await firstSpawn
        const seen = next()
        worker.postMessage("quiet")
        rounds.push(await seen)
        await worker.terminate()
      }
      console.log(JSON.stringify(rounds))
    `
    const output = execFileSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(JSON.parse(output)).toEqual(Array.from({ length: 8 }, () => ["secret", "secret", null]))
  }, 60_000)
})
