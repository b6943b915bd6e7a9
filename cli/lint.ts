/** `kakoi lint P`: print what the policy may not mean (warnings) and how it was read (notes); exit 1 on warnings. */
import { Effect } from "effect"
import { lint, type BpfError, type PolicyError, type SeccompLibrary } from "../plugins/seccomp/mod.ts"
import { about, ociOptions, profileOptions, readPolicy } from "./policy-file.ts"
import { lintHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

/**
 * Runs `kakoi lint`: prints each finding, resolves with 1 when one is a warning, 0 when not.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { writeFileSync } from "node:fs"
 * import { layer } from "kakoi/node"
 * import { lintCommand } from "./lint.ts"
 *
 * writeFileSync("/tmp/policy.json", JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }))
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await Effect.runPromise(Effect.provide(lintCommand(["/tmp/policy.json"], io), layer))
 * // 1, after 'warning: rules[0] denies "mkdir" but "mkdirat" of the same family is allowed ...'
 * ```
 */
export const lintCommand = (args: ReadonlyArray<string>, io: CliIo): Effect.Effect<number, PolicyError | UsageError | BpfError, SeccompLibrary> =>
  Effect.gen(function*() {
    const { values, positionals } = parseOptions("lint", { args: [...args], allowPositionals: true, options: { help: { type: "boolean", short: "h" }, ...profileOptions } })
    if (values.help) {
      io.out(lintHelp)
      return 0
    }
    const [file, ...extra] = positionals
    if (file === undefined || extra.length > 0) return yield* Effect.fail(new UsageError("lint", "Give exactly one policy file: kakoi lint policy.json"))
    const policy = yield* readPolicy(file, "lint", ociOptions(values))
    const findings = yield* about(policy, file, lint(policy))
    for (const finding of findings) io.out(`${finding.level}: ${finding.message}`)
    return findings.some((finding) => finding.level === "warning") ? 1 : 0
  })
