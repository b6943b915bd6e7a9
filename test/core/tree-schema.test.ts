/**
 * Strict decoding of supervision trees: each mistake that once ran, crashed or
 * silently changed meaning (issue 12) is a SupervisorError "InvalidSpec"
 * naming its JSON path, before anything starts.
 */
import { Effect, Schedule } from "effect"
import { describe, expect, it } from "vitest"
import type { SupervisorError } from "../../core/supervisor/errors.ts"
import { validateTree } from "../../core/supervisor/validate.ts"
import { rlimit } from "../../plugins/rlimit/mod.ts"

/** The message for a tree written as untyped data (what JSON, or JavaScript, can pass). */
const problem = (tree: unknown): string => Effect.runSync(Effect.flip(validateTree(tree as never))).message
const error = (tree: unknown): SupervisorError => Effect.runSync(Effect.flip(validateTree(tree as never)))
const ok = (tree: unknown): void => void Effect.runSync(validateTree(tree as never))

const worker = (extra: Readonly<Record<string, unknown>>) => ({ name: "app", children: [{ name: "w", argv: ["true"], ...extra }] })

describe("validateTree()", () => {
  it("accepts every option a worker and a nested supervisor may have", () => {
    ok({
      name: "app",
      strategy: "rest-for-one",
      intensity: { maxRestarts: 0, withinMs: 1 },
      children: [
        {
          name: "w",
          argv: ["sleep", "1"],
          env: { PATH: "/bin" },
          cwd: "/",
          stdio: ["ignore", "pipe", "pipe"],
          plugins: [rlimit({ nofile: 8 })],
          parentDeathSignal: false,
          observe: () => {},
          restart: "transient",
          stop: { signal: "SIGINT", timeoutMs: 0 },
          backoff: { initialMs: 1, factor: 1.5, maxMs: 10, jitter: false },
          resetAfterMs: 5,
          ready: { kind: "line", pattern: /up/, stream: "stderr", timeoutMs: 100 },
          processGroup: false
        },
        { name: "d", argv: ["true"], ready: { kind: "delay", ms: 10 }, backoff: Schedule.spaced("1 second") },
        { name: "e", argv: ["true"], ready: { kind: "effect", check: () => Effect.void } },
        { name: "pool", restart: "temporary", backoff: { initialMs: 5 }, resetAfterMs: 1, children: [{ name: "w", argv: ["true"] }] }
      ]
    })
  })

  it('rejects "secomp", which used to run the worker with no filter', () => {
    const failure = error(worker({ secomp: { default: "allow" } }))
    expect(failure).toMatchObject({ _tag: "SupervisorError", reason: "InvalidSpec", supervisor: "app", path: "children[0].secomp" })
    expect(failure.message).toBe('Invalid supervision tree "app" at children[0].secomp: Unknown key "secomp"')
  })

  it("rejects misspelt keys at every level, suggesting the key meant", () => {
    expect(problem(worker({ restrat: "temporary" }))).toBe('Invalid supervision tree "app" at children[0].restrat: Unknown key "restrat": did you mean "restart"?')
    expect(problem(worker({ ready: { kind: "line", patern: "up" } }))).toBe(
      'Invalid supervision tree "app" at children[0].ready.patern: Unknown key "patern": did you mean "pattern"?'
    )
    expect(problem(worker({ stop: { timeout: 100 } }))).toBe('Invalid supervision tree "app" at children[0].stop.timeout: Unknown key "timeout": did you mean "timeoutMs"?')
    expect(problem({ name: "app", intensity: { maxRestart: 1 }, children: [] })).toBe(
      'Invalid supervision tree "app" at intensity.maxRestart: Unknown key "maxRestart": did you mean "maxRestarts"?'
    )
    expect(problem(worker({ backoff: { initial: 10 } }))).toBe('Invalid supervision tree "app" at children[0].backoff.initial: Unknown key "initial": did you mean "initialMs"?')
    expect(problem({ name: "app", children: [{ name: "pool", children: [{ name: "w", argv: ["true"], plugin: [] }] }] })).toBe(
      'Invalid supervision tree "app" at children[0].children[0].plugin: Unknown key "plugin": did you mean "plugins"?'
    )
  })

  it('rejects ready.kind "lines" (it crashed the supervisor with "Not a valid effect")', () => {
    expect(problem(worker({ ready: { kind: "lines", pattern: "up" } }))).toBe(
      'Invalid supervision tree "app" at children[0].ready: Expected a readiness of kind "line" (with a pattern), "delay" (with ms) or "effect" (with a check), got {"kind":"lines","pattern":"up"}'
    )
  })

  it('rejects stop.signal and parentDeathSignal "SIGFOO" (one became SIGKILL, the other a BigInt crash)', () => {
    expect(problem(worker({ stop: { signal: "SIGFOO" } }))).toBe('Invalid supervision tree "app" at children[0].stop.signal: Expected a signal name such as "SIGTERM", got "SIGFOO"')
    expect(problem(worker({ parentDeathSignal: "SIGFOO" }))).toBe(
      'Invalid supervision tree "app" at children[0].parentDeathSignal: Expected a signal name such as "SIGTERM", got "SIGFOO"'
    )
  })

  it('rejects stdio "bogus", the same way in every runtime', () => {
    expect(problem(worker({ stdio: "bogus" }))).toBe('Invalid supervision tree "app" at children[0].stdio: Expected "pipe" | "inherit" | "ignore", got "bogus"')
  })

  it("rejects bad values: strategy, restart, numbers, names, commands", () => {
    expect(error({ name: "app", strategy: "one-for-some", children: [] }).path).toBe("strategy")
    expect(error(worker({ restart: "sometimes" })).path).toBe("children[0].restart")
    expect(problem({ name: "app", intensity: { maxRestarts: -1 }, children: [] })).toBe(
      'Invalid supervision tree "app" at intensity.maxRestarts: Expected a value greater than or equal to 0, got -1'
    )
    expect(error({ name: "app", intensity: { withinMs: 0 }, children: [] }).path).toBe("intensity.withinMs")
    expect(error(worker({ backoff: { factor: 0.5 } })).path).toBe("children[0].backoff.factor")
    expect(error(worker({ stop: { timeoutMs: Number.NaN } })).path).toBe("children[0].stop.timeoutMs")
    expect(error(worker({ ready: { kind: "delay", ms: "10" } })).path).toBe("children[0].ready.ms")
    expect(problem({ name: "app", children: [{ name: "w", argv: [] }] })).toBe(
      'Invalid supervision tree "app" at children[0].argv: Expected a command: argv[0] is missing or empty'
    )
    expect(problem({ name: "app", children: [{ name: "a/b", argv: ["true"] }] })).toBe(
      'Invalid supervision tree "app" at children[0].name: Expected a name that is not empty and has no "/"'
    )
    expect(problem({ name: "app", children: [{ name: "w", argv: ["true"] }, { name: "w", argv: ["true"] }] })).toBe(
      'Invalid supervision tree "app" at children[1].name: The name "w" is used by an earlier sibling'
    )
    expect(problem({ name: "app", children: [{ name: "w" }] })).toBe('Invalid supervision tree "app" at children[0].argv: Missing key')
    expect(problem({ name: "app" })).toBe('Invalid supervision tree "app" at children: Missing key')
    expect(problem(["not", "a", "tree"])).toBe('Invalid supervision tree "": Expected object, got ["not","a","tree"]')
  })
})
