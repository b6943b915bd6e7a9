/** mapNow / flatMapNow: at once on a settled success, exactly Effect.map / flatMap otherwise. */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { flatMapNow, mapNow, succeeded } from "../../core/settled.ts"

describe("settled", () => {
  it("applies f at once to an Effect that has already succeeded", () => {
    let calls = 0
    const mapped = mapNow(Effect.succeed(1), (n) => (calls++, n + 1))
    expect(calls).toBe(1)
    expect(succeeded(mapped)?.value).toBe(2)
    const chained = flatMapNow(Effect.succeed(1), (n) => Effect.succeed(n * 10))
    expect(succeeded(chained)?.value).toBe(10)
  })

  it("leaves an Effect that has not run lazy: f runs when it does, each time", () => {
    let calls = 0
    const mapped = mapNow(Effect.sync(() => 1), (n) => (calls++, n + 1))
    expect(calls).toBe(0)
    expect(Effect.runSync(mapped)).toBe(2)
    expect(Effect.runSync(mapped)).toBe(2)
    expect(calls).toBe(2)
    expect(Effect.runSync(flatMapNow(Effect.sync(() => 2), (n) => Effect.succeed(n + 1)))).toBe(3)
  })

  it("never calls f on a failure, which stays the failure", () => {
    let calls = 0
    const failed = mapNow(Effect.fail("no"), () => calls++)
    expect(Exit.isFailure(Effect.runSyncExit(failed))).toBe(true)
    expect(Effect.runSync(Effect.flip(flatMapNow(Effect.fail("no"), () => Effect.succeed(calls++))))).toBe("no")
    expect(calls).toBe(0)
    expect(succeeded(Effect.fail("no"))).toBeUndefined()
  })
})
