/**
 * The run machinery without processes: stopping on the TestClock (timeout,
 * cancel, requests, the SIGKILL deadline) with a fake child, output
 * collection from in-memory chunks, option checks and execa-style messages.
 */
import { it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { shortMessage, type Outcome } from "../../core/run/message.ts"
import { defaultSettings, settings } from "../../core/run/options.ts"
import { collectOutput } from "../../core/run/output.ts"
import { superviseEnd, type StopReason } from "../../core/run/termination.ts"
import type { SignalName } from "../../core/signals.ts"

/** A child that ends when `end` completes, and every signal sent to its tree. */
const fakeChild = Effect.gen(function* () {
  const end = yield* Deferred.make<string>()
  const sent: Array<SignalName> = []
  return { end, sent, signalTree: (signal: SignalName) => (sent.push(signal), true), finished: Deferred.await(end) }
})

describe("superviseEnd() on the TestClock", () => {
  it.effect("sends the kill signal when the timeout passes, not a moment before", () =>
    Effect.gen(function* () {
      const child = yield* fakeChild
      const ended = yield* Effect.forkChild(superviseEnd(child.finished, child.signalTree, { ...defaultSettings, timeout: 300 }, Effect.never))
      yield* TestClock.adjust(299)
      expect(child.sent).toEqual([])
      yield* TestClock.adjust(1)
      expect(child.sent).toEqual(["SIGTERM"])
      yield* Deferred.succeed(child.end, "exited")
      expect(yield* Fiber.join(ended)).toEqual({ value: "exited", reason: "timeout", timedOut: true, isCanceled: false, isForcefullyTerminated: false })
    }))

  it.effect("follows with SIGKILL forceKillAfterDelay after the kill signal when the child is still there", () =>
    Effect.gen(function* () {
      const child = yield* fakeChild
      const ended = yield* Effect.forkChild(
        superviseEnd(child.finished, child.signalTree, { ...defaultSettings, timeout: 100, killSignal: "SIGINT", forceKillAfterDelay: 2000 }, Effect.never)
      )
      yield* TestClock.adjust(100)
      yield* TestClock.adjust(1999)
      expect(child.sent).toEqual(["SIGINT"])
      yield* TestClock.adjust(1)
      expect(child.sent).toEqual(["SIGINT", "SIGKILL"])
      yield* Deferred.succeed(child.end, "killed")
      expect(yield* Fiber.join(ended)).toMatchObject({ reason: "timeout", isForcefullyTerminated: true })
    }))

  it.effect("without forceKillAfterDelay, waits for the child however long it takes", () =>
    Effect.gen(function* () {
      const child = yield* fakeChild
      const ended = yield* Effect.forkChild(
        superviseEnd(child.finished, child.signalTree, { ...defaultSettings, timeout: 10, forceKillAfterDelay: undefined }, Effect.never)
      )
      yield* TestClock.adjust(3_600_000)
      expect(child.sent).toEqual(["SIGTERM"])
      yield* Deferred.succeed(child.end, "late")
      expect(yield* Fiber.join(ended)).toMatchObject({ value: "late", isForcefullyTerminated: false })
    }))

  it.effect("a child that ends in time is never signalled, and the timer is gone", () =>
    Effect.gen(function* () {
      const child = yield* fakeChild
      const ended = yield* Effect.forkChild(superviseEnd(child.finished, child.signalTree, { ...defaultSettings, timeout: 300 }, Effect.never))
      yield* TestClock.adjust(100)
      yield* Deferred.succeed(child.end, "done")
      expect(yield* Fiber.join(ended)).toMatchObject({ value: "done", reason: undefined, timedOut: false })
      yield* TestClock.adjust(10_000)
      expect(child.sent).toEqual([])
    }))

  it.effect("an aborted cancelSignal stops the child; the listener is removed afterwards", () =>
    Effect.gen(function* () {
      const child = yield* fakeChild
      const controller = new AbortController()
      const ended = yield* Effect.forkChild(
        superviseEnd(child.finished, child.signalTree, { ...defaultSettings, cancelSignal: controller.signal }, Effect.never)
      )
      yield* TestClock.adjust(50)
      expect(child.sent).toEqual([])
      controller.abort()
      yield* Effect.yieldNow
      expect(child.sent).toEqual(["SIGTERM"])
      yield* Deferred.succeed(child.end, "canceled")
      expect(yield* Fiber.join(ended)).toMatchObject({ reason: "cancel", isCanceled: true, timedOut: false })
    }))

  it.effect("a maxBuffer request sends the kill signal; a kill request only arms the deadline", () =>
    Effect.gen(function* () {
      for (const reason of ["maxBuffer", "kill"] as const) {
        const child = yield* fakeChild
        const request = yield* Deferred.make<StopReason>()
        const ended = yield* Effect.forkChild(superviseEnd(child.finished, child.signalTree, { ...defaultSettings, forceKillAfterDelay: 500 }, Deferred.await(request)))
        yield* Deferred.succeed(request, reason)
        yield* Effect.yieldNow
        expect(child.sent).toEqual(reason === "kill" ? [] : ["SIGTERM"])
        yield* TestClock.adjust(500)
        expect(child.sent.at(-1)).toBe("SIGKILL")
        yield* Deferred.succeed(child.end, "gone")
        expect(yield* Fiber.join(ended)).toMatchObject({ reason, isForcefullyTerminated: true })
      }
    }))
})

const encoder = new TextEncoder()
const chunks = (...parts: ReadonlyArray<string | Uint8Array>): AsyncIterable<Uint8Array> =>
  (async function* () {
    for (const part of parts) yield typeof part === "string" ? encoder.encode(part) : part
  })()

describe("collectOutput()", () => {
  it.effect("cuts a stream at maxBuffer bytes, reports it once, and still reads it to the end", () =>
    Effect.gen(function* () {
      const overflows: Array<string> = []
      let read = 0
      const source = (async function* () {
        for (const part of ["abc", "defg", "hij"]) {
          read++
          yield encoder.encode(part)
        }
      })()
      const collected = yield* collectOutput({ stdout: source, stderr: chunks("ok") }, { ...defaultSettings, maxBuffer: 5 }, (stream) =>
        Effect.sync(() => overflows.push(stream)), Effect.never)
      expect(collected).toEqual({ stdout: "abcde", stderr: "ok", all: undefined, overflowed: "stdout" })
      expect(overflows).toEqual(["stdout"])
      expect(read).toBe(3)
    }))

  it.effect("keeps bytes exactly with encoding buffer, and decodes a character split across chunks as text", () =>
    Effect.gen(function* () {
      const bytes = yield* collectOutput({ stdout: chunks(Uint8Array.of(0xff), Uint8Array.of(0xfe)), stderr: undefined }, { ...defaultSettings, encoding: "buffer" }, () => Effect.void, Effect.never)
      expect(bytes.stdout).toEqual(Uint8Array.of(0xff, 0xfe))
      expect(bytes.stderr).toEqual(new Uint8Array(0))
      const kakoi = encoder.encode("囲い")
      const text = yield* collectOutput({ stdout: chunks(kakoi.subarray(0, 2), kakoi.subarray(2)), stderr: undefined }, defaultSettings, () => Effect.void, Effect.never)
      expect(text.stdout).toBe("囲い")
    }))

  it.effect("splits lines across chunks and interleaves them into all", () =>
    Effect.gen(function* () {
      const collected = yield* collectOutput({ stdout: chunks("a\nb", "\r\nc"), stderr: chunks("e\n") }, { ...defaultSettings, lines: true, all: true }, () => Effect.void, Effect.never)
      expect(collected.stdout).toEqual(["a", "b", "c"])
      expect(collected.stderr).toEqual(["e"])
      expect([...(collected.all as ReadonlyArray<string>)].sort()).toEqual(["a", "b", "c", "e"])
    }))

  it.effect("stops reading when until completes, keeping what came before: a pipe held open for ever does not hold up the run", () =>
    Effect.gen(function* () {
      const stop = yield* Deferred.make<void>()
      const endless = (async function* () {
        yield encoder.encode("kept")
        await new Promise(() => {})
      })()
      const reading = yield* Effect.forkChild(collectOutput({ stdout: endless, stderr: chunks("err") }, defaultSettings, () => Effect.void, Deferred.await(stop)))
      yield* TestClock.adjust(60_000)
      expect(reading.pollUnsafe()).toBeUndefined()
      yield* Deferred.succeed(stop, undefined)
      expect(yield* Fiber.join(reading)).toMatchObject({ stdout: "kept", stderr: "err" })
    }))

  it.effect("ends a stream that fails like end-of-file, keeping what came before", () =>
    Effect.gen(function* () {
      const failing = (async function* () {
        yield encoder.encode("before")
        throw new Error("EPIPE")
      })()
      expect((yield* collectOutput({ stdout: failing, stderr: undefined }, defaultSettings, () => Effect.void, Effect.never)).stdout).toBe("before")
    }))
})

describe("settings()", () => {
  it.effect("fills in execa's defaults", () =>
    Effect.gen(function* () {
      expect(yield* settings({})).toEqual(defaultSettings)
      expect(defaultSettings).toMatchObject({ killSignal: "SIGTERM", forceKillAfterDelay: 5000, maxBuffer: 100_000_000, processGroup: true })
      expect(yield* settings({ timeout: 0, forceKillAfterDelay: false })).toMatchObject({ timeout: undefined, forceKillAfterDelay: undefined })
      expect(yield* settings({ forceKillAfterDelay: true })).toMatchObject({ forceKillAfterDelay: 5000 })
    }))

  it.effect("rejects every malformed value with the option's name", () =>
    Effect.gen(function* () {
      const bad: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
        [{ timeout: "300" }, '"timeout" must be a number of milliseconds >= 0, got "300"'],
        [{ timeout: Number.POSITIVE_INFINITY }, '"timeout" must be a number of milliseconds >= 0, got Infinity'],
        [{ maxBuffer: Number.NaN }, '"maxBuffer" must be a number of bytes >= 0, got NaN'],
        [{ forceKillAfterDelay: -5 }, '"forceKillAfterDelay" must be a number of milliseconds >= 0, got -5'],
        [{ maxBuffer: -1 }, '"maxBuffer" must be a number of bytes >= 0, got -1'],
        [{ killSignal: "SIGFOO" }, '"killSignal" must be a signal name such as "SIGTERM", got "SIGFOO"'],
        [{ killSignal: 9 }, '"killSignal" must be a signal name'],
        [{ encoding: "latin1" }, '"encoding" must be "utf8" or "buffer", got "latin1"'],
        [{ lines: "yes" }, '"lines" must be true or false, got "yes"'],
        [{ lines: true, encoding: "buffer" }, '"lines" splits text: it cannot be combined with encoding "buffer"'],
        [{ cancelSignal: { aborted: false } }, '"cancelSignal" must be an AbortSignal'],
        [{ processGroup: 1 }, '"processGroup" must be true or false, got 1']
      ]
      for (const [options, detail] of bad) {
        const error = yield* Effect.flip(settings(options))
        expect(error).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
        expect(error.message).toContain(detail)
      }
    }))
})

describe("shortMessage()", () => {
  const outcome: Outcome = {
    command: "sleep 5", exitCode: undefined, signal: "SIGTERM", diagnosis: undefined, reason: undefined,
    isForcefullyTerminated: false, overflowed: undefined, timeout: 300, maxBuffer: 1000, forceKillAfterDelay: 5000
  }

  it("says what happened, most telling first, then the command", () => {
    expect(shortMessage({ ...outcome, reason: "timeout" })).toBe("Command timed out after 300 milliseconds: sleep 5")
    expect(shortMessage({ ...outcome, reason: "cancel" })).toBe("Command was canceled: sleep 5")
    expect(shortMessage({ ...outcome, reason: "maxBuffer", overflowed: "stderr" })).toBe("Command's stderr was larger than 1000 bytes: sleep 5")
    expect(shortMessage(outcome)).toBe("Command was killed with SIGTERM (Termination): sleep 5")
    expect(shortMessage({ ...outcome, signal: undefined, exitCode: 2 })).toBe("Command failed with exit code 2: sleep 5")
    expect(shortMessage({ ...outcome, signal: "SIGKILL", reason: "cancel", isForcefullyTerminated: true }))
      .toBe("Command was canceled and was forcefully terminated with SIGKILL after 5000 milliseconds: sleep 5")
  })

  it("is undefined for a success, also after a kill() the child handled with exit 0", () => {
    expect(shortMessage({ ...outcome, signal: undefined, exitCode: 0 })).toBeUndefined()
    expect(shortMessage({ ...outcome, signal: undefined, exitCode: 0, reason: "kill" })).toBeUndefined()
  })
})
