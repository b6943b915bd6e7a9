/**
 * Compiled child programs, kept for the next identical request: a
 * supervisor starts the same command with the same fences again and again
 * (restarts, a loop over one command), and compiling its program took longer
 * than the clone and exec together (0.1-0.15 ms per spawn, measured in Deno
 * and Bun). A program is a pure function of its input, so an input equal to
 * one compiled before gets that program back, and nothing else does: the
 * comparison is by value over every field (argv, env, steps, fds, signals,
 * filter bytes), against a copy taken at compile time, so a caller that
 * mutates its arrays afterwards cannot make a stale program match (and the
 * program is compiled from that copy, so it is exactly the program for the
 * values kept). A frozen list of strings and numbers cannot change: it is
 * kept as it is, and the same list again is equal at once. An input
 * that holds anything but plain data (strings, numbers, bigints, booleans,
 * undefined, arrays, byte arrays, plain objects) is compiled every time.
 * Failures are not kept: a bad input throws again on every spawn.
 */
import { isPlainObject } from "../plain-object.ts"
import { compileProgram, type ChildProgram, type ProgramInput } from "./mod.ts"

/** An input's copy, or `uncopyable` when it holds something other than plain data. */
const uncopyable: unique symbol = Symbol("uncopyable")

/** A frozen array of strings and numbers (the environment's strings, the signals to reset): it cannot change, so it is kept, not copied. */
const isFrozenList = (value: ReadonlyArray<unknown>): boolean =>
  Object.isFrozen(value) && value.every((item) => typeof item === "string" || typeof item === "number")

/** A deep copy of plain data; `uncopyable` for anything else. */
const copyData = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return typeof value === "function" || typeof value === "symbol" ? uncopyable : value
  if (value instanceof Uint8Array) return value.constructor === Uint8Array ? value.slice() : uncopyable
  if (Array.isArray(value) && isFrozenList(value)) return value
  if (Array.isArray(value)) {
    const copy: Array<unknown> = []
    for (let index = 0; index < value.length; index++) {
      const copied = copyData(value[index])
      if (copied === uncopyable) return uncopyable
      copy.push(copied)
    }
    return copy
  }
  if (!isPlainObject(value)) return uncopyable
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const copied = copyData(value[key])
    if (copied === uncopyable) return uncopyable
    copy[key] = copied
  }
  return copy
}

/** Whether `value` equals `copy` (made by `copyData`) in every field, in the same key order. */
const sameData = (copy: unknown, value: unknown): boolean => {
  if (typeof copy !== "object" || copy === null) return Object.is(copy, value)
  // The very list kept (a frozen one): the same values.
  if (copy === value) return true
  if (typeof value !== "object" || value === null) return false
  if (copy instanceof Uint8Array) {
    if (!(value instanceof Uint8Array) || value.constructor !== Uint8Array || value.byteLength !== copy.byteLength) return false
    for (let index = 0; index < copy.byteLength; index++) if (copy[index] !== value[index]) return false
    return true
  }
  if (Array.isArray(copy)) {
    if (!Array.isArray(value) || value.length !== copy.length) return false
    for (let index = 0; index < copy.length; index++) if (!sameData(copy[index], value[index])) return false
    return true
  }
  if (Array.isArray(value) || value instanceof Uint8Array || !isPlainObject(value)) return false
  const copied = copy as Readonly<Record<string, unknown>>
  const keys = Object.keys(copied)
  const valueKeys = Object.keys(value)
  if (valueKeys.length !== keys.length) return false
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string
    if (valueKeys[index] !== key || !sameData(copied[key], value[key])) return false
  }
  return true
}

/**
 * A compiler that remembers the last `capacity` programs it compiled (the
 * least recently used goes first) and hands one back for an input equal to
 * the one it was compiled from.
 *
 * @example
 * ```ts
 * import { programCache } from "./cache.ts"
 *
 * const compile = programCache()
 * const input = { argv: ["true"], env: [], steps: [], stdio: [10, 10, 10] as const, control: 11, parentDeathSignal: 9, parentPid: 1, parentPidfd: 12, signalsToDefault: [] }
 * compile(input) === compile({ ...input, argv: ["true"] }) // true: equal inputs, one compile
 * compile(input) === compile({ ...input, control: 12 }) // false
 * ```
 */
export const programCache = (capacity = 16, compile: (input: ProgramInput) => ChildProgram = compileProgram): ((input: ProgramInput) => ChildProgram) => {
  // Most recently used last.
  const entries: Array<{ readonly input: unknown; readonly program: ChildProgram }> = []
  return (input) => {
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index]
      if (entry === undefined || !sameData(entry.input, input)) continue
      if (index !== entries.length - 1) entries.push(...entries.splice(index, 1))
      return entry.program
    }
    const copy = copyData(input)
    if (copy === uncopyable) return compile(input)
    // Compiled from the copy: the program is exactly the one for the values kept, whatever reading the input again would give.
    const program = compile(copy as ProgramInput)
    entries.push({ input: copy, program })
    if (entries.length > capacity) entries.shift()
    return program
  }
}
