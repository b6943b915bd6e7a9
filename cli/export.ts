/** `kakoi export --policy FILE --format bpf|pfc|json`: write a policy's compiled filter. */
import { writeFile } from "node:fs/promises"
import { Effect } from "effect"
import { compile, exportPfc, toJson, type PolicyError } from "../plugins/seccomp/mod.ts"
import type { SeccompLibrary } from "../plugins/seccomp/library.ts"
import { policyFromFlags } from "./policy-options.ts"
import { exportHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

const formats = ["bpf", "pfc", "json"] as const

/**
 * `kakoi export --policy FILE [--format bpf|pfc|json] [--out FILE]`: compiles a
 * policy file and writes the BPF (bytes), libseccomp's PFC text, or the
 * normalized JSON, to `--out` or stdout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { exportCommand } from "./export.ts"
 *
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await Effect.runPromise(Effect.provide(exportCommand(["--policy", "policy.json", "--format", "pfc"], io), layer))
 * ```
 */
export const exportCommand = (args: ReadonlyArray<string>, io: CliIo): Effect.Effect<number, PolicyError | UsageError, SeccompLibrary> =>
  Effect.gen(function* () {
    const { values } = parseOptions("export", {
      args: [...args],
      options: {
        help: { type: "boolean", short: "h" },
        policy: { type: "string" },
        format: { type: "string", default: "bpf" },
        out: { type: "string" }
      }
    })
    if (values.help) {
      io.out(exportHelp)
      return 0
    }
    if (values.policy === undefined) return yield* Effect.fail(new UsageError("export", "--policy FILE is required"))
    const format = values.format
    if (!formats.includes(format as never)) {
      return yield* Effect.fail(new UsageError("export", `--format takes bpf, pfc or json, got "${format}"`))
    }
    const policy = yield* policyFromFlags({ command: "export", policy: values.policy, default: undefined, errno: [], rules: [] })
    if (policy === undefined) return 0
    const output: string | Uint8Array =
      format === "bpf"
        ? (yield* compile(policy)).bpf
        : format === "pfc"
          ? yield* exportPfc(policy)
          : `${JSON.stringify(toJson(policy), (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2)}\n`
    if (values.out !== undefined) {
      const path = values.out
      yield* Effect.promise(() => writeFile(path, output))
    } else if (typeof output === "string") io.bytes(new TextEncoder().encode(output))
    else io.bytes(output)
    return 0
  })
