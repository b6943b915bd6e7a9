/** Strict checking of a child's argv and options: every bad input is a SpawnError naming its path, before anything starts. */
import { Effect, Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { SpawnError } from "../../core/errors.ts"
import { strictDecoder } from "../../core/decode.ts"
import { acceptedAtOnce, ArgvSchema, checkChildOptions, childOptionFields } from "../../core/spec-schema.ts"
import { rlimit } from "../../plugins/rlimit/mod.ts"

/** The error for `options` (typed loosely on purpose: this is what a JavaScript caller or JSON can pass). */
const failure = (options: unknown, argv: unknown = ["true"], own: ReadonlyArray<string> = []): SpawnError =>
  Effect.runSync(Effect.flip(checkChildOptions(argv as ReadonlyArray<string>, options as never, own)))

describe("checkChildOptions()", () => {
  it("accepts every option of a child", () => {
    const options = { stdio: ["inherit", "pipe", "ignore"], parentDeathSignal: false, plugins: [rlimit({ nofile: 8 })], env: { A: "1", B: undefined }, cwd: "/", observe: () => {} } as const
    expect(Effect.runSync(checkChildOptions(["echo", "hi"], options))).toEqual({ argv: ["echo", "hi"], options })
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

  // An env name holding "=" would set another variable than the one named ({ "LD_PRELOAD=/x.so #": v } sets LD_PRELOAD).
  it("rejects an env name that is empty or holds \"=\" or a NUL byte, and a value with a NUL byte, at that name's path", () => {
    const named = 'Expected a variable name, not empty and without "=" or a NUL byte, got'
    expect(failure({ env: { A: "1", "LD_PRELOAD=/x.so #": "v" } }).message).toBe(`Invalid child spec at env["LD_PRELOAD=/x.so #"]: ${named} "LD_PRELOAD=/x.so #"`)
    expect(failure({ env: { "": "v" } }).path).toBe('env[""]')
    expect(failure({ env: { "A\0B": "v" } }).path).toBe('env["A\\u0000B"]')
    expect(failure({ env: { A: "x\0y" } }).message).toBe("Invalid child spec at env.A: Expected a value without a NUL byte, which would cut it short")
    expect(acceptedAtOnce(["true"], { env: { "A=B": "c" } })).toBe(false)
    // A symbol key is no name at all: not quoted like the string "Symbol(s)" would be.
    expect(failure({ env: { [Symbol("s")]: "v" } as never }).path).toBe("env[Symbol(s)]")
    expect(acceptedAtOnce(["true"], { env: { A: "x\0y" } })).toBe(false)
  })

  // Read as an object, a Map, a Date or an instance holds no own variables: the target would get an empty environment.
  it("rejects an env that is no plain object, naming its kind and never its contents", () => {
    const expected = "Invalid child spec at env: Expected a plain object of variable names to values, got"
    expect(failure({ env: new Map([["TOKEN", "secret"]]) }).message).toBe(`${expected} a Map (for a Map: Object.fromEntries(map))`)
    expect(failure({ env: new (class Env { readonly TOKEN = "secret" })() }).message).toBe(`${expected} an instance of Env`)
    expect(failure({ env: Object.create({ TOKEN: "secret" }) }).message).toBe(`${expected} an object whose prototype is not Object.prototype`)
    expect(failure({ env: new Date(0) }).message).toBe(`${expected} an instance of Date`)
    expect(failure({ env: ["TOKEN=secret"] }).message).toBe(`${expected} an array`)
    expect(failure({ env: "TOKEN=secret" }).message).toBe(`${expected} string`)
    expect(failure({ env: null }).message).toBe(`${expected} null`)
    for (const env of [new Map([["TOKEN", "secret"]]), Object.create({ TOKEN: "secret" })]) expect(acceptedAtOnce(["true"], { env })).toBe(false)
    // A null-prototype object is plain.
    const bare = Object.assign(Object.create(null) as Record<string, string>, { A: "1" })
    expect(Effect.runSync(checkChildOptions(["true"], { env: bare })).options.env).toEqual(bare)
  })

  it("turns a getter of the caller's that throws into the same typed error, before anything starts", () => {
    const throwing = { get A(): string { throw new Error("no A today") } }
    expect(failure({ env: throwing })).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
    expect(failure({ env: throwing }).message).toBe("Invalid child spec: reading the command or its options threw: no A today")
    expect(failure({ get plugins(): never { throw new Error("nope") } }).message).toBe("Invalid child spec: reading the command or its options threw: nope")
  })

  it("accepts the keys the caller checks itself", () => {
    expect(Effect.runSync(checkChildOptions(["cat"], { input: "x" } as never, ["input"])).options).toEqual({ input: "x" })
    expect(failure({ input: "x" }, ["cat"]).path).toBe("input")
  })

  it("rejects one plugin given as plugins without brackets, naming it rather than printing its code", () => {
    expect(failure({ plugins: rlimit({ nofile: 64 }) }).message).toBe('Invalid child spec at plugins: Expected an array of plugins, got the plugin "rlimit" itself: put it in [ ]')
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

describe("acceptedAtOnce()", () => {
  // What the schemas decide, without the quick checks in front of them.
  const decode = strictDecoder(Schema.Struct({ ...childOptionFields, timeout: Schema.optionalKey(Schema.Unknown) }))
  const decodeArgv = strictDecoder(ArgvSchema)
  const schemaAccepts = (argv: unknown, options: unknown): boolean => Result.isSuccess(decodeArgv(argv)) && Result.isSuccess(decode(options))
  const plugin = rlimit({ nofile: 8 })
  const samples: Readonly<Record<string, ReadonlyArray<unknown>>> = {
    plugins: [[], [plugin], [plugin, plugin], [plugin, "seccomp"], ["seccomp"], [{ name: 1 }], [{ name: "x", spawn: 1 }], [null], new Array(1), plugin, "x", undefined, {}],
    env: [{}, { A: "1" }, { A: "1", B: undefined }, { A: 1 }, { A: null }, { [Symbol("s")]: "1" }, Object.create({ A: "1" }), [], "A=1", null, undefined, new Map()],
    cwd: ["/", "/tmp", "", 1, undefined, null, ["/"]],
    stdio: ["pipe", "inherit", "ignore", "bogus", ["pipe", "pipe", "pipe"], ["pipe", "pipe"], ["pipe", "pipe", "pipe", "pipe"], ["pipe", "bogus", "pipe"], new Array(3), undefined, 1],
    parentDeathSignal: ["SIGTERM", "SIGKILL", false, true, "SIGFOO", "sigterm", 9, undefined, null],
    containment: ["namespaces", "cgroup", "process-group", "none", "", undefined, 1],
    observe: [() => {}, "f", undefined, null, {}],
    timeout: [1, "x", undefined],
    plugin: [[plugin]],
    [Symbol.for("k")]: [1]
  }
  const argvs: ReadonlyArray<unknown> = [["true"], ["echo", "hi"], [], [""], ["echo", 1], new Array(2), "true", undefined, [["true"]]]

  it("accepts nothing the schemas refuse, and the usual options at once", () => {
    let quick = 0
    for (const argv of argvs) {
      for (const [key, values] of [...Object.entries(samples), ...Object.getOwnPropertySymbols(samples).map((symbol) => [symbol, samples[symbol as never]] as const)]) {
        for (const value of values as ReadonlyArray<unknown>) {
          for (const options of [{ [key]: value }, { stdio: "ignore", [key]: value }, { plugins: [plugin], containment: "process-group", [key]: value }]) {
            const accepted = acceptedAtOnce(argv as ReadonlyArray<string>, options as never, ["timeout"])
            if (accepted) quick++
            if (accepted) expect({ argv, options, schema: schemaAccepts(argv, options) }).toEqual({ argv, options, schema: true })
          }
        }
      }
    }
    expect(quick).toBeGreaterThan(100)
    expect(acceptedAtOnce(["/bin/true"], { plugins: [plugin], stdio: "ignore", containment: "process-group" }, ["timeout"])).toBe(true)
  })

  it("leaves other objects, inherited fields and non-plain options to the schemas", () => {
    expect(acceptedAtOnce(["true"], Object.create({ cwd: 1 }))).toBe(false)
    expect(acceptedAtOnce(["true"], new (class Options {})() as never)).toBe(false)
    expect(acceptedAtOnce(["true"], "inherit" as never)).toBe(false)
    expect(acceptedAtOnce(["true"], { timeout: 1 } as never)).toBe(false)
  })
})
