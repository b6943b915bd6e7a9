/**
 * A policy as systemd unit lines: `SystemCallFilter=`, `SystemCallErrorNumber=`
 * and `SystemCallArchitectures=` (systemd.exec(5)). systemd's model is a list of
 * syscall names allowed (everything else denied one way) or denied (each with
 * an optional errno, `name:EPERM`), without argument conditions and with only
 * kill-process and errno as denials. What a policy says beyond that is listed
 * in `remainder`, path by path; a policy whose default systemd cannot express
 * at all fails with a typed error.
 */
import { Effect } from "effect"
import { errnoName } from "../../../core/errno.ts"
import { describeAction, sameAction } from "../actions.ts"
import { compile } from "../compile.ts"
import { PolicyError } from "../errors.ts"
import type { SeccompLibrary } from "../library.ts"
import type { Action, Policy } from "../model.ts"

/**
 * Unit lines, and what they leave out.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { exportSystemd, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir", "mkdirat"), { default: "allow" })
 * const { lines, remainder } = await Effect.runPromise(Effect.provide(exportSystemd(p), layer))
 * lines // ["SystemCallArchitectures=native", "SystemCallFilter=~ptrace:EPERM ... mkdir:EPERM mkdirat:EPERM"]
 * remainder[0]?.path // "floor.tiocsti": an ioctl argument condition, which SystemCallFilter= cannot say
 * ```
 */
export interface SystemdExport {
  readonly lines: ReadonlyArray<string>
  readonly remainder: ReadonlyArray<{ readonly path: string; readonly reason: string }>
}

/** libseccomp's architecture names → systemd's (systemd-analyze arch). */
const systemdArches: Readonly<Record<string, string>> = {
  x86: "x86", x86_64: "x86-64", x32: "x32", arm: "arm", aarch64: "arm64", mips: "mips", mipsel: "mips-le", mips64: "mips64",
  mipsel64: "mips64-le", mips64n32: "mips64-n32", mipsel64n32: "mips64-le-n32", ppc: "ppc", ppc64: "ppc64", ppc64le: "ppc64-le",
  s390: "s390", s390x: "s390x", parisc: "parisc", parisc64: "parisc64", riscv64: "riscv64"
}

const errnoWord = (errno: number): string => errnoName(errno) ?? String(errno)

/** How a denial reads in systemd: kill (no errno) or an errno; undefined when systemd has no such denial. */
const denial = (action: Action): { readonly kind: "kill" } | { readonly kind: "errno"; readonly errno: number } | undefined =>
  action.kind === "kill" ? { kind: "kill" } : action.kind === "errno" ? { kind: "errno", errno: action.errno } : undefined

/**
 * Exports a policy as systemd unit lines. An allow default becomes a deny
 * list (`SystemCallFilter=~name:ERRNO ...`); an errno or kill default an allow
 * list with `SystemCallErrorNumber=`. Conditional rules, trap/log/notify/trace/
 * kill-thread rules, errno rules inside an allow list, and a bad-architecture
 * action go to `remainder`. Fails for a default systemd cannot express
 * (trap, log, notify, trace, kill-thread).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { exportSystemd, policy } from "kakoi/seccomp"
 *
 * const { lines } = await Effect.runPromise(Effect.provide(exportSystemd(policy({ default: "allow", floor: false, rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })), layer))
 * lines // ["SystemCallArchitectures=native", "SystemCallFilter=~mkdir:EPERM"]
 * ```
 */
export const exportSystemd = (policy: Policy): Effect.Effect<SystemdExport, PolicyError, SeccompLibrary> =>
  Effect.gen(function*() {
    const compiled = yield* compile(policy)
    const remainder: Array<{ readonly path: string; readonly reason: string }> = []
    const lines: Array<string> = []
    const arches = ["native"]
    for (const [index, arch] of policy.arches.entries()) {
      const name = systemdArches[arch]
      if (name === undefined) remainder.push({ path: `arches[${index}]`, reason: `systemd has no name for architecture "${arch}"` })
      else arches.push(name)
    }
    lines.push(`SystemCallArchitectures=${arches.join(" ")}`)
    if (policy.attributes.badArch !== undefined) {
      remainder.push({ path: "attributes.badArch", reason: `systemd kills calls of architectures it does not list; ${describeAction(policy.attributes.badArch)} cannot be said` })
    }
    const rules = compiled.rules.filter((rule) => !sameAction(rule.action, policy.default))
    const conditional = new Set(rules.filter((rule) => rule.args.length > 0).map((rule) => rule.syscall))
    for (const rule of rules.filter((entry) => entry.args.length > 0)) {
      remainder.push({ path: rule.path, reason: `${describeAction(rule.action)} for "${rule.syscall}" only for some arguments: systemd's SystemCallFilter= has no argument conditions` })
    }
    // A syscall with conditional rules is decided by the default in the lines (the safe side for an allow list only).
    const plain = rules.filter((rule) => rule.args.length === 0)
    if (policy.default.kind === "allow") {
      const denied: Array<string> = []
      for (const rule of plain) {
        const how = denial(rule.action)
        if (how === undefined) {
          remainder.push({ path: rule.path, reason: `${describeAction(rule.action)} for "${rule.syscall}": systemd denies with kill or an errno only` })
          continue
        }
        denied.push(how.kind === "kill" ? rule.syscall : `${rule.syscall}:${errnoWord(how.errno)}`)
      }
      if (denied.length > 0) lines.push(`SystemCallFilter=~${denied.join(" ")}`)
      return { lines, remainder }
    }
    const fallback = denial(policy.default)
    if (fallback === undefined) {
      return yield* new PolicyError({ reason: "Unsupported", path: "default", value: describeAction(policy.default), detail: "systemd's SystemCallFilter= denies with kill or an errno only: make the default kill or errno to export to systemd" })
    }
    const allowed: Array<string> = []
    for (const rule of plain) {
      if (rule.action.kind === "allow") allowed.push(rule.syscall)
      else if (rule.action.kind === "log") {
        allowed.push(rule.syscall)
        remainder.push({ path: rule.path, reason: `log for "${rule.syscall}": allowed here; systemd's SystemCallLog= would log it, kakoi does not write that line` })
      } else remainder.push({ path: rule.path, reason: `${describeAction(rule.action)} for "${rule.syscall}" inside an allow list: systemd fails every unlisted call alike (${describeAction(policy.default)})` })
    }
    for (const syscall of conditional) remainder.push({ path: "rules", reason: `"${syscall}" is left out of the allow list (its rules have conditions), so it gets ${describeAction(policy.default)}` })
    lines.push(`SystemCallFilter=${allowed.join(" ")}`)
    if (fallback.kind === "errno") lines.push(`SystemCallErrorNumber=${errnoWord(fallback.errno)}`)
    return { lines, remainder }
  })
