/**
 * The seccomp simulator: checks a compiled filter as the kernel's loader
 * does and runs it over `struct seccomp_data`, so `explain`, `diff` and the
 * tests get the kernel's exact answer without making the call.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy, simulator } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 * const filter = simulator(compiled.bpf)
 * filter.run({ nr: 83, arch: 0xc000003e }).action // { kind: "errno", errno: 1 }
 * ```
 */
import { compileProgram } from "./compile-js.ts"
import { fillSeccompData, type SeccompData, type Trace } from "./evaluate.ts"
import { prepare, type BpfProgram } from "./program.ts"
import { decodeReturn, type FilterVerdict } from "./verdict.ts"

export { auditArch } from "./arch.ts"
export { compileProgram } from "./compile-js.ts"
export type { CompiledProgram } from "./compile-js.ts"
export { BpfError } from "./errors.ts"
export type { BpfErrorReason } from "./errors.ts"
export { evaluate, fillSeccompData, seccompData } from "./evaluate.ts"
export type { SeccompData, Trace } from "./evaluate.ts"
export { maxInstructions, prepare } from "./program.ts"
export type { BpfProgram } from "./program.ts"
export { decodeReturn } from "./verdict.ts"
export type { FilterVerdict } from "./verdict.ts"

/**
 * A checked filter with one method per question.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { arg, compile, policy, simulator, type Simulator } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EACCES", "socket", arg(0).eq(2)), { default: "allow" })), layer))
 *
 * const filter: Simulator = simulator(compiled.bpf)
 * filter.run({ nr: 41, arch: 0xc000003e, args: [2n] }).action.kind // "errno"
 * ```
 */
export interface Simulator {
  readonly program: BpfProgram
  /** The verdict for one call. */
  readonly run: (call: SeccompData, trace?: Trace) => FilterVerdict
}

/**
 * Checks raw BPF bytes (throws `BpfError` for a program the kernel would
 * refuse) and returns a simulator for it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy, simulator } from "kakoi/seccomp"
 *
 * const compiled = await Effect.runPromise(Effect.provide(compile(policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })), layer))
 *
 * simulator(compiled.bpf).run({ nr: 59, arch: 0xc000003e }).action // { kind: "allow" }
 * ```
 */
export const simulator = (bpf: Uint8Array): Simulator => {
  const program = prepare(bpf)
  const run = compileProgram(program)
  const words = new Uint32Array(16)
  return { program, run: (call, trace) => decodeReturn(run(fillSeccompData(words, call), trace)) }
}
