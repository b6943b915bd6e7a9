/** Strict checking of a child's argv and options: every bad input is a SpawnError naming its path, before anything starts. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { SpawnError } from "../../core/errors.ts"
import { checkChildOptions } from "../../core/spec-schema.ts"
import { rlimit } from "../../plugins/rlimit/mod.ts"

/** The error for `options` (typed loosely on purpose: this is what a JavaScript caller or JSON can pass). */
const failure = (options: unknown, argv: unknown = ["true"], own: ReadonlyArray<string> = []): SpawnError =>
  Effect.runSync(Effect.flip(checkChildOptions(argv as ReadonlyArray<string>, options as never, own)))

describe("checkChildOptions()", () => {
  it("accepts every option of a child", () => {
    const options = { stdio: ["inherit", "pipe", "ignore"], parentDeathSignal: false, plugins: [rlimit({ nofile: 8 })], env: { A: "1", B: undefined }, cwd: "/", observe: () => {} } as const
    expect(Effect.runSync(checkChildOptions(["echo", "hi"], options))).toBeUndefined()
  })

  it('rejects stdio "bogus" with a typed error naming the option', () => {
    const error = failure({ stdio: "bogus" })
    expect(error).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec", path: "stdio" })
    expect(error.message).toBe('Invalid child spec at stdio: Expected "pipe" | "inherit" | "ignore", got "bogus"')
    expect(failure({ stdio: ["pipe", "bogus", "pipe"] }).path).toBe("stdio[1]")
  })

  it('rejects parentDeathSignal "SIGFOO" instead of crashing on its number', () => {
    expect(failure({ parentDeathSignal: "SIGFOO" }).message).toBe('Invalid child spec at parentDeathSignal: Expected a signal name such as "SIGTERM", got "SIGFOO"')
  })

  it("rejects a misspelt key, suggesting the one meant: a typo must not drop the fence", () => {
    expect(failure({ plugin: [rlimit({ nofile: 8 })] }).message).toBe('Invalid child spec at plugin: Unknown key "plugin": did you mean "plugins"?')
  })

  it("accepts the keys the caller checks itself", () => {
    expect(Effect.runSync(checkChildOptions(["cat"], { input: "x" } as never, ["input"]))).toBeUndefined()
    expect(failure({ input: "x" }, ["cat"]).path).toBe("input")
  })

  it("rejects what is not a plugin in plugins, a non-string env value, an empty command", () => {
    expect(failure({ plugins: ["seccomp"] }).message).toBe('Invalid child spec at plugins[0]: Expected a plugin such as seccomp(policy) or rlimit(limits), got "seccomp"')
    expect(failure({ env: { PATH: 1 } }).path).toBe("env.PATH")
    expect(failure({}, []).message).toBe("Invalid child spec at argv: Expected a command: argv[0] is missing or empty")
    expect(failure({}, ["echo", 1]).path).toBe("argv[1]")
    expect(failure("inherit").message).toBe('Invalid child spec: Expected object, got "inherit"')
  })
})

describe("checkChildOptions() messages", () => {
  it("cut a huge bad value short", () => {
    const detail = failure({ stdio: "x".repeat(10_000) }).detail
    expect(detail.length).toBe(241)
    expect(detail.startsWith('Expected "pipe" | "inherit" | "ignore", got "xxx')).toBe(true)
    expect(detail.endsWith("…")).toBe(true)
  })
})
