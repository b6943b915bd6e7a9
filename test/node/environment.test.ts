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
})
