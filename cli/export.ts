/** `kakoi export --policy FILE --format bpf|pfc|json|oci|systemd`: write a policy's compiled filter, or the policy in another format. */
import { writeFile } from "node:fs/promises"
import { Effect } from "effect"
import { compile, exportOci, exportPfc, exportSystemd, profileText, toJson, type BpfError, type PolicyError, type SeccompLibrary } from "../plugins/seccomp/mod.ts"
import { ociOptions, profileOptions, readPolicy } from "./policy-file.ts"
import { exportHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

const formats = ["bpf", "pfc", "json", "oci", "systemd"] as const

export const exportCommand = (args: ReadonlyArray<string>, io: CliIo): Effect.Effect<number, PolicyError | UsageError | BpfError, SeccompLibrary> =>
  Effect.gen(function* () {
    const { values } = parseOptions("export", {
      args: [...args],
      options: {
        help: { type: "boolean", short: "h" },
        policy: { type: "string" },
        format: { type: "string", default: "bpf" },
        out: { type: "string" },
        ...profileOptions
      }
    })
    if (values.help) {
      io.out(exportHelp)
      return 0
    }
    if (values.policy === undefined) return yield* Effect.fail(new UsageError("export", "--policy FILE is required"))
    const format = values.format
    if (!formats.includes(format as never)) {
      return yield* Effect.fail(new UsageError("export", `--format takes ${formats.join(", ")}, got "${format}"`))
    }
    const policy = yield* readPolicy(values.policy, "export", ociOptions(values))
    let output: string | Uint8Array
    if (format === "oci" || format === "systemd") {
      const { text, remainder } = format === "oci"
        ? yield* Effect.map(exportOci(policy), ({ profile, remainder }) => ({ text: profileText(profile), remainder }))
        : yield* Effect.map(exportSystemd(policy), ({ lines, remainder }) => ({
          // The remainder goes into the unit text too, as comments, so it travels with the lines.
          text: `${[...lines, ...remainder.map(({ path, reason }) => `# kakoi: not expressed here: ${path}: ${reason}`)].join("\n")}\n`,
          remainder
        }))
      for (const { path, reason } of remainder) io.err(`kakoi: not in the ${format === "oci" ? "profile" : "unit lines"}: ${path}: ${reason}`)
      output = text
    } else {
      output = format === "bpf"
        ? (yield* compile(policy)).bpf
        : format === "pfc"
        ? yield* exportPfc(policy)
        : `${JSON.stringify(toJson(policy), (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2)}\n`
    }
    if (values.out !== undefined) {
      const path = values.out
      yield* Effect.promise(() => writeFile(path, output))
    } else if (typeof output === "string") io.bytes(new TextEncoder().encode(output))
    else io.bytes(output)
    return 0
  })
