/**
 * Policies read from a Docker/OCI profile remember where they came from:
 * which profile entry each rule is, and which entries did not apply (caps,
 * architecture, kernel), for `explain` and `lint`. A validation error on a
 * converted rule is reported at the profile entry it came from.
 */
import { PolicyError, quote } from "../errors.ts"
import type { PolicyJson } from "../json.ts"
import type { Policy } from "../model.ts"
import type { OciImport } from "./oci-import.ts"

const imports = new WeakMap<Policy, OciImport>()

/** `rules[3].syscalls[1]` → `syscalls[7].names[1]` for a rule that came from the profile's syscalls[7]. */
const profilePath = (path: string | undefined, sources: ReadonlyArray<string>): string | undefined => {
  const match = path === undefined ? null : /^rules\[(\d+)\](.*)$/.exec(path)
  if (match === null) return path
  const source = sources[Number(match[1])]
  return source === undefined ? path : `${source}${(match[2] ?? "").replace(/^\.syscalls\[/, ".names[")}`
}

/** The same error at the profile's path. */
const remapped = ({ reason, path, value, suggestions, detail, file }: PolicyError, imported: OciImport): PolicyError =>
  new PolicyError({ reason, path: profilePath(path, imported.sources), value, suggestions, detail, file })

/** The import without one extra architecture, noted in `left`. */
const without = (imported: OciImport, arch: string, reason: string): OciImport => ({
  ...imported,
  json: { ...imported.json, arches: (imported.json.arches ?? []).filter((name) => name !== arch) },
  left: [...imported.left, { path: "archMap", reason: `architecture ${arch} left out: ${reason}; its calls get the badArch action`, syscalls: [] }]
})

const multiplexedArgs = (error: unknown): error is PolicyError => error instanceof PolicyError && error.reason === "MultiplexedArgs"

/**
 * Decodes an imported profile's JSON with `decode` and remembers the import
 * on the result. Should validation refuse conditions on a multiplexed call
 * that oci-import.ts did not foresee (it leaves out the ABIs that multiplex
 * socket and IPC calls), the ABI is left out the same way and `left` says so.
 *
 * @example
 * ```ts
 * import { importOci, importOf, policy } from "kakoi/seccomp"
 * import { withImport } from "./imported.ts"
 *
 * const profile = {
 *   defaultAction: "SCMP_ACT_ERRNO",
 *   syscalls: [
 *     { names: ["read", "write", "execve", "exit_group"], action: "SCMP_ACT_ALLOW" },
 *     { names: ["chown", "fchown"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_CHOWN"] } }
 *   ]
 * }
 * const p = withImport(importOci(profile, { caps: [] }), (json) => policy(json))
 * importOf(p)?.left[0]?.reason // "needs CAP_CHOWN, which the child does not hold"
 * ```
 */
export const withImport = (imported: OciImport, decode: (json: PolicyJson) => Policy): Policy => {
  try {
    const result = decode(imported.json)
    imports.set(result, imported)
    return result
  } catch (error) {
    if (multiplexedArgs(error)) {
      const reason = `${quote(error.value ?? "")}'s argument conditions (${profilePath(error.path, imported.sources) ?? "a rule"}) cannot hold through its multiplexer (socketcall or ipc)`
      for (const arch of imported.json.arches ?? []) {
        const narrower = without(imported, arch, reason)
        try {
          // Decoded once: the policy without this ABI is the answer when it holds.
          const result = decode(narrower.json)
          imports.set(result, narrower)
          return result
        } catch (retry) {
          if (!multiplexedArgs(retry)) return withImport(narrower, decode)
        }
      }
    }
    if (!(error instanceof PolicyError)) throw error
    throw remapped(error, imported)
  }
}

/**
 * The profile import a policy came from, if it came from one.
 *
 * @example
 * ```ts
 * import { importOf, policy } from "kakoi/seccomp"
 *
 * const profile = {
 *   defaultAction: "SCMP_ACT_ERRNO",
 *   syscalls: [
 *     { names: ["read", "write", "execve", "exit_group"], action: "SCMP_ACT_ALLOW" },
 *     { names: ["chown", "fchown"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_CHOWN"] } }
 *   ]
 * }
 * importOf(policy(profile))?.sources[0] // "syscalls[0]"
 * ```
 */
export const importOf = (policy: Policy): OciImport | undefined => imports.get(policy)

/**
 * An error about a policy (e.g. from `compile`), at the profile's JSON path when
 * the policy came from a profile: `rules[3].syscalls[1]` → `syscalls[7].names[1]`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 * import { atProfilePath } from "./imported.ts"
 *
 * const p = policy({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO" }, { names: ["mkdri"], action: "SCMP_ACT_KILL" }] })
 * const error = await Effect.runPromise(Effect.flip(Effect.provide(Effect.mapError(compile(p), (error) => atProfilePath(p, error)), layer)))
 * error.message // 'Invalid seccomp policy at syscalls[1].names[0]: Unknown syscall "mkdri": did you mean "mkdir"?'
 * ```
 */
export const atProfilePath = (policy: Policy, error: PolicyError): PolicyError => {
  const imported = imports.get(policy)
  return imported === undefined ? error : remapped(error, imported)
}
