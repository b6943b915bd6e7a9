/** `kakoi diff A B`: the calls whose outcome differs between two filters (any formats); exit 1 when some do. */
import { Effect } from "effect"
import { diff, differenceLine, type BpfError, type PolicyError, type SeccompLibrary } from "../plugins/seccomp/mod.ts"
import { ociOptions, profileOptions, readInput } from "./policy-file.ts"
import { diffHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

/**
 * Runs `kakoi diff`: prints each difference, resolves with 1 when there are some, 0 when not.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { writeFileSync } from "node:fs"
 * import { layer } from "kakoi/node"
 * import { diffCommand } from "./diff.ts"
 *
 * writeFileSync("/tmp/a.json", JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }))
 * writeFileSync("/tmp/b.json", JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }] }))
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await Effect.runPromise(Effect.provide(diffCommand(["/tmp/a.json", "/tmp/b.json"], io), layer)) // 1, after "x86_64 mkdirat (258): allow vs errno EPERM"
 * ```
 */
export const diffCommand = (args: ReadonlyArray<string>, io: CliIo): Effect.Effect<number, PolicyError | UsageError | BpfError, SeccompLibrary> =>
  Effect.gen(function*() {
    const { values, positionals } = parseOptions("diff", { args: [...args], allowPositionals: true, options: { help: { type: "boolean", short: "h" }, ...profileOptions } })
    if (values.help) {
      io.out(diffHelp)
      return 0
    }
    const [first, second, ...extra] = positionals
    if (first === undefined || second === undefined || extra.length > 0) return yield* Effect.fail(new UsageError("diff", "Give exactly two policy files: kakoi diff a.json b.json"))
    const options = ociOptions(values)
    const differences = yield* diff(yield* readInput(first, "diff", options, true), yield* readInput(second, "diff", options, true))
    for (const difference of differences) io.out(differenceLine(difference))
    return differences.length === 0 ? 0 : 1
  })
