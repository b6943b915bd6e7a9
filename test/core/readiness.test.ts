/** Readiness on the TestClock: each kind succeeds or says why not, and timeouts count on the Effect clock. */
import { it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { formatEvent } from "../../core/supervisor/events.ts"
import { awaitReadiness, lineWatch } from "../../core/supervisor/readiness.ts"
import type { Readiness } from "../../core/supervisor/spec.ts"

describe("awaitReadiness()", () => {
  it.effect("a line readiness is ready at the first matching line", () =>
    Effect.gen(function* () {
      const readiness: Readiness = { kind: "line", pattern: /listening on \d+/, timeoutMs: 1000 }
      const watch = lineWatch(readiness)
      const waiting = yield* Effect.forkChild(awaitReadiness<never>(readiness, watch, 1))
      watch?.check("booting")
      yield* TestClock.adjust(500)
      watch?.check("listening on 8080")
      expect(yield* Fiber.join(waiting)).toEqual({ ready: true })
    }))

  it.effect("a line readiness that times out says which pattern on which stream, after exactly timeoutMs", () =>
    Effect.gen(function* () {
      const readiness: Readiness = { kind: "line", pattern: "listening", stream: "stderr", timeoutMs: 300 }
      const waiting = yield* Effect.forkChild(awaitReadiness<never>(readiness, lineWatch(readiness), 1))
      yield* TestClock.adjust(299)
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(waiting)).toEqual({ ready: false, reason: 'no line matching "listening" on stderr within 300 ms' })
    }))

  it.effect("an effect readiness that fails or times out says so", () =>
    Effect.gen(function* () {
      const failing = yield* awaitReadiness({ kind: "effect", check: () => Effect.fail(new Error("connection refused")) }, undefined, 1)
      expect(failing).toEqual({ ready: false, reason: "the readiness check failed: connection refused" })
      const slow = yield* Effect.forkChild(awaitReadiness({ kind: "effect", check: () => Effect.never, timeoutMs: 2000 }, undefined, 1))
      yield* TestClock.adjust(2000)
      expect(yield* Fiber.join(slow)).toEqual({ ready: false, reason: "the readiness check did not succeed within 2000 ms" })
    }))

  it.effect("a delay readiness is ready when the delay has passed", () =>
    Effect.gen(function* () {
      const waiting = yield* Effect.forkChild(awaitReadiness<never>({ kind: "delay", ms: 100 }, undefined, 1))
      yield* TestClock.adjust(100)
      expect(yield* Fiber.join(waiting)).toEqual({ ready: true })
    }))
})

describe("the not-ready event", () => {
  it.effect("reads as the reason and what happens next", () =>
    Effect.sync(() => {
      expect(formatEvent({ type: "not-ready", child: "app/web", at: 0, reason: 'no line matching "listening" on stdout within 300 ms' }))
        .toBe('app/web: not ready: no line matching "listening" on stdout within 300 ms; stopping it')
    }))
})
