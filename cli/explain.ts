/** `kakoi explain --policy P --syscall NAME [--arch A] [--args a0,a1,..]`: what the filter does with one call, and why. */
import { Effect } from "effect"
import { explain, type BpfError, type PolicyError, type SeccompLibrary, type SyscallError } from "../plugins/seccomp/mod.ts"
import { about, ociOptions, profileOptions, readPolicy } from "./policy-file.ts"
import { explainHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

/** One --args value: decimal or 0x hex, negative ones as two's complement. */
const argValue = (text: string): bigint => {
  const trimmed = text.trim()
  if (!/^-?(?:\d+|0x[0-9a-f]+)$/i.test(trimmed)) throw new UsageError("explain", `--args takes numbers (decimal or 0x hex) separated by commas, got "${text}"`)
  const value = trimmed.startsWith("-") ? -BigInt(trimmed.slice(1)) : BigInt(trimmed)
  if (value < -(1n << 63n) || value >= 1n << 64n) throw new UsageError("explain", `--args value "${text}" does not fit 64 bits`)
  return BigInt.asUintN(64, value)
}

/**
 * Runs `kakoi explain`: prints the explanation's lines, resolves with 0.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { writeFileSync } from "node:fs"
 * import { layer } from "kakoi/node"
 * import { explainCommand } from "./explain.ts"
 *
 * writeFileSync("/tmp/policy.json", JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }))
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await Effect.runPromise(Effect.provide(explainCommand(["--policy", "/tmp/policy.json", "--syscall", "mkdir"], io), layer))
 * // prints "mkdir(0x0) on x86_64 (nr 83): errno EPERM" and "  decided by rules[0]: errno EPERM"
 * ```
 */
export const explainCommand = (args: ReadonlyArray<string>, io: CliIo): Effect.Effect<number, PolicyError | SyscallError | UsageError | BpfError, SeccompLibrary> =>
  Effect.gen(function*() {
    const { values } = parseOptions("explain", {
      args: [...args],
      options: { help: { type: "boolean", short: "h" }, policy: { type: "string" }, syscall: { type: "string" }, arch: { type: "string" }, args: { type: "string" }, ...profileOptions }
    })
    if (values.help) {
      io.out(explainHelp)
      return 0
    }
    if (values.policy === undefined || values.syscall === undefined) return yield* Effect.fail(new UsageError("explain", "--policy FILE and --syscall NAME are required"))
    const callArgs = values.args === undefined ? [] : values.args.split(",").map(argValue)
    if (callArgs.length > 6) return yield* Effect.fail(new UsageError("explain", `--args takes at most 6 values, got ${callArgs.length}`))
    const policy = yield* readPolicy(values.policy, "explain", ociOptions(values))
    const syscall = /^\d+$/.test(values.syscall) ? Number(values.syscall) : values.syscall
    const answer = yield* about(policy, values.policy, explain(policy, { syscall, args: callArgs, ...(values.arch === undefined ? {} : { arch: values.arch }) }))
    for (const line of answer.lines) io.out(line)
    return 0
  })
