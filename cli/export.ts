/** `kakoi export --policy FILE --format bpf|pfc|json|oci|systemd`: write a policy's compiled filter, or the policy in another format. */
import { writeFile } from "node:fs/promises"
import { Effect } from "effect"
import { compile, exportOci, exportPfc, exportSystemd, profileText, toJson, type BpfError, type Policy, type PolicyError, type SeccompLibrary } from "../plugins/seccomp/mod.ts"
import { about, ociOptions, profileOptions, readPolicy } from "./policy-file.ts"
import { exportHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

const formats = ["bpf", "pfc", "json", "oci", "systemd"] as const

const isFormat = (text: string): text is (typeof formats)[number] => (formats as ReadonlyArray<string>).includes(text)

/** The policy in one format; what the format cannot say goes to stderr. */
const render = (policy: Policy, format: (typeof formats)[number], io: CliIo): Effect.Effect<string | Uint8Array, PolicyError, SeccompLibrary> =>
  Effect.gen(function* () {
    switch (format) {
      case "bpf":
        return (yield* compile(policy)).bpf
      case "pfc":
        return yield* exportPfc(policy)
      case "json":
        return `${JSON.stringify(toJson(policy), (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2)}\n`
      case "oci": {
        const { profile, remainder } = yield* exportOci(policy)
        for (const { path, reason } of remainder) io.err(`kakoi: not in the profile: ${path}: ${reason}`)
        return profileText(profile)
      }
      case "systemd": {
        const { lines, remainder } = yield* exportSystemd(policy)
        for (const { path, reason } of remainder) io.err(`kakoi: not in the unit lines: ${path}: ${reason}`)
        // The remainder goes into the unit text too, as comments, so it travels with the lines.
        return `${[...lines, ...remainder.map(({ path, reason }) => `# kakoi: not expressed here: ${path}: ${reason}`)].join("\n")}\n`
      }
    }
  })

/**
 * `kakoi export --policy FILE [--format bpf|pfc|json|oci|systemd] [--out FILE]`:
 * compiles a policy file (kakoi JSON or a Docker/OCI profile) and writes the
 * BPF (bytes), libseccomp's PFC text, the normalized JSON, an OCI profile or
 * systemd unit lines, to `--out` or stdout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { writeFileSync } from "node:fs"
 * import { layer } from "kakoi/node"
 * import { exportCommand } from "./export.ts"
 *
 * writeFileSync("/tmp/policy.json", JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }))
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await Effect.runPromise(Effect.provide(exportCommand(["--policy", "/tmp/policy.json", "--format", "pfc"], io), layer)) // 0, after printing the PFC listing
 * ```
 */
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
    if (!isFormat(format)) {
      return yield* Effect.fail(new UsageError("export", `--format takes ${formats.join(", ")}, got "${format}"`))
    }
    const policy = yield* readPolicy(values.policy, "export", ociOptions(values))
    const output = yield* about(policy, values.policy, render(policy, format, io))
    if (values.out !== undefined) {
      const path = values.out
      yield* Effect.promise(() => writeFile(path, output))
    } else if (typeof output === "string") io.bytes(new TextEncoder().encode(output))
    else io.bytes(output)
    return 0
  })
