/**
 * `diff(a, b)`: the calls whose outcome differs between two filters, found by
 * running both compiled programs in the simulator over every syscall number of
 * every architecture either lists (the span of its known numbers, offsets such
 * as x32's included, and a little beyond), first with zero arguments and then, where a filter looks at an
 * argument, with representative values: each constant either program compares
 * with, its neighbours, and high-word variants (64-bit garbage above a 32-bit value).
 * Inputs are policies (any format `policy()` reads) or raw BPF programs.
 */
import { Effect } from "effect"
import { describeAction, sameAction } from "./actions.ts"
import { compile } from "./compile.ts"
import type { PolicyError } from "./errors.ts"
import { SeccompLibrary, type SeccompLibraryShape } from "./library.ts"
import type { Action, Policy } from "./model.ts"
import { op, type BpfProgram } from "./simulator/program.ts"
import { auditArch, simulator, type Simulator } from "./simulator/mod.ts"
import { archName, archNames, syscallTable } from "./syscalls.ts"

/**
 * One call whose outcome differs: on which ABI, the syscall, the arguments
 * that show it (zero when omitted), and each filter's action.
 *
 * @example
 * ```ts
 * import type { Difference } from "kakoi/seccomp"
 *
 * const d: Difference = { arch: "x86_64", syscall: "socket", number: 41, args: [40n], a: { kind: "allow" }, b: { kind: "errno", errno: 1 } }
 * ```
 */
export interface Difference {
  readonly arch: string
  /** The syscall's name; empty for a number libseccomp has no name for. */
  readonly syscall: string
  readonly number: number
  readonly args: ReadonlyArray<bigint>
  readonly a: Action
  readonly b: Action
}

/**
 * A filter to compare: a policy, or a BPF program (e.g. `kakoi export --format bpf` output).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy, type DiffInput } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 * const inputs: Array<DiffInput> = [p, (await Effect.runPromise(Effect.provide(compile(p), layer))).bpf]
 * ```
 */
export type DiffInput = Policy | Uint8Array

const hex = (value: bigint): string => `0x${value.toString(16)}`

/**
 * A difference as one line: `x86_64 socket (41) with args 0x28: allow vs errno EPERM`.
 *
 * @example
 * ```ts
 * import { differenceLine } from "kakoi/seccomp"
 *
 * differenceLine({ arch: "x86_64", syscall: "socket", number: 41, args: [40n], a: { kind: "allow" }, b: { kind: "errno", errno: 1 } })
 * // "x86_64 socket (41) with args 0x28: allow vs errno EPERM"
 * ```
 */
export const differenceLine = (d: Difference): string => {
  const args = d.args.some((value) => value !== 0n) ? ` with args ${d.args.map(hex).join(", ")}` : ""
  const call = d.syscall === "" ? `nr ${d.number}` : `${d.syscall} (${d.number})`
  return `${d.arch} ${call}${args}: ${describeAction(d.a)} vs ${describeAction(d.b)}`
}

/** The constants a program compares the accumulator with: where argument values matter. */
const constants = (program: BpfProgram): ReadonlyArray<number> => {
  const found = new Set<number>()
  for (let pc = 0; pc < program.length; pc++) {
    const code = program.code[pc] ?? 0
    if ((code & 0x07) === op.JMP && code !== (op.JMP | op.JA) && (code & op.X) === 0) found.add(program.k[pc] ?? 0)
  }
  return [...found]
}

/** Representative 64-bit values for an argument from the programs' constants. */
const samples = (programs: ReadonlyArray<BpfProgram>): ReadonlyArray<bigint> => {
  const words = new Set<number>([0, 1, 0xffffffff])
  for (const program of programs) for (const c of constants(program)) for (const w of [c, c + 1, c - 1]) words.add(w >>> 0)
  const highs = [0, 0xffffffff, ...[...words].filter((w) => w !== 0 && w !== 0xffffffff).slice(0, 16)]
  const values = new Set<bigint>()
  for (const low of words) for (const high of highs) values.add((BigInt(high) << 32n) | BigInt(low))
  return [...values]
}

/** Differences between two simulators over the calls of one ABI. */
const compareArch = (a: Simulator, b: Simulator, arch: string, token: number, calls: ReadonlyArray<readonly [string, number]>, values: ReadonlyArray<bigint>): Array<Difference> => {
  const found: Array<Difference> = []
  for (const [syscall, nr] of calls) {
    const traceA = { reads: 0 }
    const traceB = { reads: 0 }
    const zeroA = a.run({ nr, arch: token }, traceA).action
    const zeroB = b.run({ nr, arch: token }, traceB).action
    if (!sameAction(zeroA, zeroB)) {
      found.push({ arch, syscall, number: nr, args: [], a: zeroA, b: zeroB })
      continue
    }
    const reads = (traceA.reads | traceB.reads) >>> 4
    search: for (let index = 0; index < 6; index++) {
      if (((reads >> (2 * index)) & 3) === 0) continue
      for (const value of values) {
        const args = Array.from({ length: index + 1 }, (_, i) => (i === index ? value : 0n))
        const actionA = a.run({ nr, arch: token, args }).action
        const actionB = b.run({ nr, arch: token, args }).action
        if (!sameAction(actionA, actionB)) {
          found.push({ arch, syscall, number: nr, args, a: actionA, b: actionB })
          break search
        }
      }
    }
  }
  return found
}

/** Numbers past an ABI's last known syscall that are still run, for calls newer than libseccomp's table. */
const beyond = 64

/**
 * Every syscall number of an ABI, named where libseccomp knows it: the span
 * from its first to its last known number (gaps and offsets such as x32's
 * included) and a little beyond, so a filter that decides unnamed numbers is compared too.
 */
const callsOf = (library: SeccompLibraryShape, token: number, names: ReadonlyArray<string>): ReadonlyArray<readonly [string, number]> => {
  const known = new Map<number, string>()
  for (const name of names) {
    const nr = library.syscallResolveName(token, name)
    if (nr >= 0 && !known.has(nr)) known.set(nr, name)
  }
  if (known.size === 0) return []
  const numbers = [...known.keys()]
  const [first, last] = [Math.min(...numbers), Math.max(...numbers)]
  return Array.from({ length: last + beyond - first + 1 }, (_, offset) => {
    const nr = first + offset
    return [known.get(nr) ?? "", nr] as const
  })
}

const bpfOf = (input: DiffInput): Effect.Effect<Uint8Array, PolicyError, SeccompLibrary> =>
  input instanceof Uint8Array ? Effect.succeed(input) : Effect.map(compile(input), (compiled) => compiled.bpf)

/**
 * Every call whose outcome differs between two filters, in architecture and
 * syscall-number order. Compares the ABIs either policy lists (all ABIs
 * libseccomp knows when an input is raw BPF, whose list is unknown). Throws
 * `BpfError` for a raw program the kernel would not load.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { diff, differenceLine, policy } from "kakoi/seccomp"
 *
 * const a = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })
 * const b = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }] })
 * const differences = await Effect.runPromise(Effect.provide(diff(a, b), layer))
 * differences.map(differenceLine) // ["x86_64 mkdirat (258): allow vs errno EPERM"]
 * ```
 */
export const diff = (a: DiffInput, b: DiffInput): Effect.Effect<ReadonlyArray<Difference>, PolicyError, SeccompLibrary> =>
  Effect.gen(function*() {
    const library = yield* SeccompLibrary
    const [simA, simB] = [simulator(yield* bpfOf(a)), simulator(yield* bpfOf(b))]
    const native = library.archNative()
    const listed = [a, b].some((input) => input instanceof Uint8Array)
      ? archNames
      : [archName(library, native), ...new Set([a, b].flatMap((input) => (input instanceof Uint8Array ? [] : input.arches)))]
    const names = [...new Set([...syscallTable(library, native), ...syscallTable(library, library.archResolveName("x86"))])]
    const values = samples([simA.program, simB.program])
    const found: Array<Difference> = []
    for (const arch of new Set(listed)) {
      const token = library.archResolveName(arch)
      if (token === 0) continue
      found.push(...compareArch(simA, simB, arch, auditArch(token), callsOf(library, token, names), values))
    }
    return found
  })
