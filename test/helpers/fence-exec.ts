/**
 * A reference executor of core/fence-calls.ts sequences, in JavaScript over
 * the Kernel port: what the native launcher's compiled program does, one call
 * at a time, on the calling thread. For tests that run the sequences on a
 * throwaway process; never a fence for a program (other threads stay as they were).
 */
import { fenceCalls, type Operand } from "../../core/fence-calls.ts"
import type { FenceStep } from "../../core/fence-steps.ts"
import { type Kernel, memory } from "../../core/host/kernel.ts"

/** Where a sequence failed: the step, the call's index and syscall, and the errno. */
export interface ExecFailure {
  readonly kind: string
  readonly subject: string
  readonly call: number
  readonly syscall: string
  readonly errno: number
}

const place = (kernel: Kernel, bytes: Uint8Array, keep: Array<Uint8Array>): bigint => {
  const buffer = memory(bytes.byteLength)
  buffer.set(bytes)
  keep.push(buffer)
  return kernel.address(buffer)
}

/** Runs each step's calls in order; the first failure, or undefined when all succeeded. */
export const executeFenceSteps = (kernel: Kernel, steps: ReadonlyArray<FenceStep>): ExecFailure | undefined => {
  for (const step of steps) {
    const plan = fenceCalls(step)
    if (plan === "interpreter") throw new Error(`${step.kind} is implemented by the interpreter, not by a flat sequence`)
    const results: Array<bigint> = []
    const keep: Array<Uint8Array> = []
    const operand = (arg: Operand): bigint =>
      "value" in arg ? arg.value
        : "string" in arg ? place(kernel, new TextEncoder().encode(`${arg.string}\0`), keep)
        : "bytes" in arg ? place(kernel, arg.bytes, keep)
        : "result" in arg ? results[arg.result] ?? -1n
        : BigInt(arg.inheritedFd)
    for (const [index, call] of plan.calls.entries()) {
      const result = kernel.syscall(call.syscall, ...call.args.map(operand))
      results.push(result)
      if (result < 0n && !call.tolerate.includes(-Number(result))) {
        return { kind: step.kind, subject: plan.subject, call: index, syscall: call.syscall, errno: -Number(result) }
      }
    }
  }
  return undefined
}
