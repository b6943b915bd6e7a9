/**
 * Reading a policy file for `kakoi explain`, `diff`, `lint` and `export`: any
 * format kakoi reads, told apart by content (kakoi's JSON, a Docker/OCI
 * profile, or for `diff` a raw BPF program as `kakoi export --format bpf`
 * writes it), with errors that name the file. `--caps` and `--kernel` say what
 * a profile's includes/excludes are evaluated against.
 */
import { Effect } from "effect"
import { BpfError, decodePolicyText, PolicyError, prepare, type OciOptions, type Policy } from "../plugins/seccomp/mod.ts"
import { atProfilePath } from "../plugins/seccomp/formats/imported.ts"
import { UsageError } from "./usage.ts"

/**
 * The options of every command that reads a profile.
 *
 * @example
 * ```ts
 * import { parseArgs } from "node:util"
 * import { profileOptions } from "./policy-file.ts"
 *
 * parseArgs({ args: ["--caps", "CAP_CHOWN", "--kernel", "6.1"], options: profileOptions }).values // { caps: "CAP_CHOWN", kernel: "6.1" }
 * ```
 */
export const profileOptions = {
  caps: { type: "string" },
  kernel: { type: "string" },
  "trust-profile": { type: "boolean" }
} as const

/**
 * `--caps CAP_A,CAP_B` (empty for none), `--kernel 6.1` and `--trust-profile` (the profile's
 * ptrace, process_vm_* and pidfd_getfd allowances stand: `floor: false`) as the profile reader takes them.
 *
 * @example
 * ```ts
 * import { ociOptions } from "./policy-file.ts"
 *
 * ociOptions({ caps: "CAP_CHOWN,CAP_KILL" }) // { caps: ["CAP_CHOWN", "CAP_KILL"] }
 * ```
 */
export const ociOptions = (values: { readonly caps?: string | undefined; readonly kernel?: string | undefined; readonly "trust-profile"?: boolean | undefined }): OciOptions => ({
  ...(values.caps === undefined ? {} : { caps: values.caps.split(",").map((cap) => cap.trim()).filter((cap) => cap !== "") }),
  ...(values.kernel === undefined ? {} : { kernel: values.kernel }),
  ...(values["trust-profile"] === true ? { floor: false } : {})
})

/**
 * The same error, naming the file it is about.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { decodePolicy } from "kakoi/seccomp"
 * import { inFile } from "./policy-file.ts"
 *
 * const error = await Effect.runPromise(Effect.flip(decodePolicy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", sycalls: ["mkdir"] }] })))
 * inFile(error, "policy.json").message // 'Invalid seccomp policy in "policy.json" at rules[0].sycalls: Unexpected key'
 * ```
 */
export const inFile = (error: PolicyError, file: string): PolicyError =>
  new PolicyError({ reason: error.reason, path: error.path, value: error.value, suggestions: error.suggestions, detail: error.detail, file })

/** A JSON policy starts with `{` (after white space); anything else is taken for BPF. */
const isJson = (bytes: Uint8Array): boolean => {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue
    return byte === 0x7b
  }
  return false
}

/**
 * A policy or (when `bpf` is allowed) a checked BPF program from a file.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { writeFileSync } from "node:fs"
 * import { readInput } from "./policy-file.ts"
 *
 * writeFileSync("/tmp/policy.json", JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }))
 * const input = await Effect.runPromise(readInput("/tmp/policy.json", "diff", {}, true))
 * input instanceof Uint8Array // false: JSON, so a policy (a BPF program would be the bytes, checked)
 * ```
 */
export const readInput = (file: string, command: string, options: OciOptions, bpf: boolean): Effect.Effect<Policy | Uint8Array, PolicyError | UsageError | BpfError> =>
  Effect.gen(function*() {
    const bytes = yield* Effect.tryPromise({
      // Loaded on use: node:fs/promises is 2 ms of every `kakoi run`'s start, with a policy file or not.
      try: () => process.getBuiltinModule("node:fs/promises").readFile(file),
      catch: (error) => new UsageError(command, `Cannot read policy file "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
    })
    if (isJson(bytes)) return yield* Effect.mapError(decodePolicyText(new TextDecoder().decode(bytes), options), (error) => inFile(error, file))
    if (!bpf) return yield* Effect.fail(new UsageError(command, `"${file}" is not a JSON policy or profile (a BPF program can only be compared, with kakoi diff)`))
    const program = new Uint8Array(bytes)
    yield* Effect.try({ try: () => prepare(program), catch: (error) => (error instanceof BpfError ? error : new UsageError(command, String(error))) })
    return program
  })

/**
 * A policy from a file (kakoi's JSON or a Docker/OCI profile).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { readPolicy } from "./policy-file.ts"
 *
 * const error = await Effect.runPromise(Effect.flip(readPolicy("/nonexistent.json", "explain", {})))
 * error.message // 'Cannot read policy file "/nonexistent.json": ENOENT'
 * ```
 */
export const readPolicy = (file: string, command: string, options: OciOptions): Effect.Effect<Policy, PolicyError | UsageError | BpfError> =>
  Effect.map(readInput(file, command, options, false), (input) => input as Policy)

/**
 * Errors of what a command does with a policy from a file (compiling it, for
 * one) name the file, and for a profile the profile's JSON path.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 * import { about } from "./policy-file.ts"
 *
 * const typo = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdri"] }] })
 * const error = await Effect.runPromise(Effect.flip(Effect.provide(about(typo, "policy.json", compile(typo)), layer)))
 * error.message // 'Invalid seccomp policy in "policy.json" at rules[0].syscalls[0]: Unknown syscall "mkdri": did you mean "mkdir"?'
 * ```
 */
export const about = <A, E, R>(policy: Policy, file: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.mapError(effect, (error) => (error instanceof PolicyError ? (inFile(atProfilePath(policy, error), file) as E) : error))
