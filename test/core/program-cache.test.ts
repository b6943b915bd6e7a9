/**
 * The compile cache of child programs: an input equal by value to one
 * compiled before gets that program back; any difference (a byte of a
 * filter, an fd, an env entry's order, a step's key) compiles anew; a caller
 * that mutates what it passed cannot make a stale program match; failures are
 * never kept.
 */
import { describe, expect, it } from "vitest"
import { programCache } from "../../core/program/cache.ts"
import { compileProgram, ProgramError, type ChildProgram, type ProgramInput } from "../../core/program/mod.ts"
import type { PreExecStep } from "../../core/steps.ts"

const bpf = (instructions: number, fill = 6): Uint8Array => new Uint8Array(8 * instructions).fill(fill)
const base = (): ProgramInput => ({
  argv: ["tool", "--flag"], env: ["PATH=/opt/bin:/usr/bin", "HOME=/root"],
  steps: [{ kind: "rlimit", resource: "nofile", soft: 64n, hard: "unlimited" }, { kind: "seccomp", bpf: bpf(3) }],
  stdio: [20, 21, 22], control: 23, parentDeathSignal: 9, parentPid: 4242, parentPidfd: 24, signalsToDefault: [13, 25]
})

/** A cache over compileProgram that counts the compiles. */
const counting = (capacity?: number) => {
  const compiled: Array<ProgramInput> = []
  const compile = programCache(capacity, (input) => {
    compiled.push(input)
    return compileProgram(input)
  })
  return { compile, compiled }
}

const imageOf = (program: ChildProgram): Uint8Array => program.image(0x10000n)

describe("programCache", () => {
  it("keeps a frozen list of strings as it is: the same list again, or an equal one, gets the program; another list does not", () => {
    const { compile, compiled } = counting()
    const env = Object.freeze(["PATH=/usr/bin", "HOME=/root"])
    const first = compile({ ...base(), env })
    expect(compile({ ...base(), env })).toBe(first)
    expect(compile({ ...base(), env: ["PATH=/usr/bin", "HOME=/root"] })).toBe(first)
    expect(compile({ ...base(), env: Object.freeze(["PATH=/usr/bin", "HOME=/home"]) })).not.toBe(first)
    expect(compiled).toHaveLength(2)
  })

  it("hands back the program of an equal input, compiled once", () => {
    const { compile, compiled } = counting()
    const first = compile(base())
    const second = compile(base())
    expect(second).toBe(first)
    expect(compiled).toHaveLength(1)
    expect(imageOf(second)).toEqual(imageOf(compileProgram(base())))
  })

  it.each<[string, (input: ProgramInput) => ProgramInput]>([
    ["an argv entry", (input) => ({ ...input, argv: ["tool", "--other"] })],
    ["an extra argv entry", (input) => ({ ...input, argv: [...input.argv, ""] })],
    ["the env's order", (input) => ({ ...input, env: [...input.env].reverse() })],
    ["an env entry", (input) => ({ ...input, env: ["PATH=/opt/bin:/usr/bin", "HOME=/home"] })],
    ["a stdio fd", (input) => ({ ...input, stdio: [20, 21, 24] })],
    ["the control fd", (input) => ({ ...input, control: 24 })],
    ["the parent-death signal", (input) => ({ ...input, parentDeathSignal: 15 })],
    ["the parent pid", (input) => ({ ...input, parentPid: 4243 })],
    ["a signal to reset", (input) => ({ ...input, signalsToDefault: [13] })],
    ["one byte of a filter", (input) => {
      const changed = bpf(3)
      changed[17] = 7
      return { ...input, steps: [input.steps[0] as PreExecStep, { kind: "seccomp", bpf: changed }] }
    }],
    ["a filter's listener flag", (input) => ({ ...input, steps: [input.steps[0] as PreExecStep, { kind: "seccomp", bpf: bpf(3), listener: true }] })],
    ["a limit", (input) => ({ ...input, steps: [{ kind: "rlimit", resource: "nofile", soft: 65n, hard: "unlimited" }, input.steps[1] as PreExecStep] })],
    ["a step's key order", (input) => ({ ...input, steps: [{ resource: "nofile", kind: "rlimit", soft: 64n, hard: "unlimited" }, input.steps[1] as PreExecStep] })],
    ["the steps' order", (input) => ({ ...input, steps: [...input.steps].reverse() })],
    ["a step more", (input) => ({ ...input, steps: [...input.steps, { kind: "umask", mask: 0o22 }] })]
  ])("compiles again for a different %s", (_, change) => {
    const { compile, compiled } = counting()
    const first = compile(base())
    const other = compile(change(base()))
    expect(other).not.toBe(first)
    expect(compiled).toHaveLength(2)
    // And the first is still there for its own input.
    expect(compile(base())).toBe(first)
  })

  it("is not fooled by a caller that mutates its input after the compile", () => {
    const { compile, compiled } = counting()
    const input = base()
    const filter = bpf(3)
    const steps: Array<PreExecStep> = [{ kind: "seccomp", bpf: filter }]
    const argv = ["tool"]
    const first = compile({ ...input, argv, steps })
    filter[0] = 0x15
    argv[0] = "other"
    const second = compile({ ...input, argv, steps })
    expect(second).not.toBe(first)
    expect(compiled).toHaveLength(2)
    expect(imageOf(second)).toEqual(imageOf(compileProgram({ ...input, argv: ["other"], steps: [{ kind: "seccomp", bpf: filter }] })))
  })

  it("compiles from its own copy, so a getter cannot give the compile one value and the cache another", () => {
    const { compile } = counting()
    let reads = 0
    const steps = [{ kind: "chdir", get path() { return reads++ === 0 ? "/a" : "/b" } }] as unknown as ReadonlyArray<PreExecStep>
    const first = compile({ ...base(), steps })
    expect(imageOf(first)).toEqual(imageOf(compileProgram({ ...base(), steps: [{ kind: "chdir", path: "/a" }] })))
    const second = compile({ ...base(), steps })
    expect(imageOf(second)).toEqual(imageOf(compileProgram({ ...base(), steps: [{ kind: "chdir", path: "/b" }] })))
  })

  it("keeps no failure: a bad input throws on every call", () => {
    const { compile, compiled } = counting()
    const bad = { ...base(), argv: ["to\0ol"] }
    expect(() => compile(bad)).toThrow(ProgramError)
    expect(() => compile(bad)).toThrow(ProgramError)
    expect(compiled).toHaveLength(2)
  })

  it("compiles every time an input that holds more than plain data", () => {
    const { compile, compiled } = counting()
    class Step {
      readonly kind = "setsid"
    }
    const input = { ...base(), steps: [new Step() as unknown as PreExecStep] }
    compile(input)
    compile(input)
    expect(compiled).toHaveLength(2)
  })

  it("forgets the least recently used program past its capacity", () => {
    const { compile, compiled } = counting(2)
    const one = compile({ ...base(), control: 31 })
    compile({ ...base(), control: 32 })
    expect(compile({ ...base(), control: 31 })).toBe(one)
    compile({ ...base(), control: 33 })
    expect(compiled).toHaveLength(3)
    // 32 was the least recently used: gone; 31 stayed.
    compile({ ...base(), control: 32 })
    expect(compiled).toHaveLength(4)
    expect(compile({ ...base(), control: 33 })).not.toBe(one)
    expect(compiled).toHaveLength(4)
  })
})
