/**
 * Deno's environment as the children get it where libc's environment does not
 * tell (the probe in adapters/deno/runtime.ts must not be trusted there):
 * Deno.env and its toObject are writable, and a program (or a test's stub) may
 * put its own in place; the children get what Deno.env.toObject() says then.
 */
import { describe, expect, it } from "vitest"
import { run } from "../../adapters/deno/mod.ts"

const marker = async (): Promise<string | undefined> =>
  /^KAKOI_TEST_DENO=(.*)$/m.exec((await run(["/usr/bin/env"], { containment: "process-group" })).stdout)?.[1]

describe("the supervisor's environment on Deno", () => {
  it("follows a Deno.env.toObject replaced by the program's, and the real one again", async () => {
    const env = Deno.env
    const real = env.toObject
    let overlay: Record<string, string> = { KAKOI_TEST_DENO: "stubbed" }
    try {
      env.toObject = () => ({ ...real.call(env), ...overlay })
      expect(await marker()).toBe("stubbed")
      // Only the overlay changes: libc's environment is as it was.
      overlay = {}
      expect(await marker()).toBeUndefined()
      overlay = { KAKOI_TEST_DENO: "again" }
      expect(await marker()).toBe("again")
    } finally {
      env.toObject = real
    }
    expect(await marker()).toBeUndefined()
  })

  it("follows a Deno.env replaced by an object of the program's, and the real one again", async () => {
    const real = Deno.env
    Deno.env.set("KAKOI_TEST_DENO", "real")
    expect(await marker()).toBe("real")
    try {
      const hidden = { ...real.toObject() }
      delete hidden.KAKOI_TEST_DENO
      // A program hiding a secret from its children without removing it from its own environment.
      ;(Deno as { env: Deno.Env }).env = { ...real, toObject: () => hidden }
      expect(await marker()).toBeUndefined()
    } finally {
      ;(Deno as { env: Deno.Env }).env = real
    }
    expect(await marker()).toBe("real")
    Deno.env.delete("KAKOI_TEST_DENO")
    expect(await marker()).toBeUndefined()
  })
})
