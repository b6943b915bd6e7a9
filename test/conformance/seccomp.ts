/**
 * Seccomp filters on real children, for any adapter: every action, every
 * comparison operator on a real syscall argument, 64-bit values, strict
 * allowlists, composition with resource limits, and bad policies that must
 * start nothing. The probe (test/fixtures/syscall-probe.c) makes one raw
 * syscall with exact arguments and prints "ok N" or "errno N".
 */
import type { Services } from "../../adapters/portable.ts"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { rlimit } from "../../plugins/rlimit/mod.ts"
import { launcherSyscalls, policy, seccomp, type PolicyJson, type RuleJson } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

export interface SeccompApi {
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<RunResult>
}

const probeSource = fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url))
const [SYS_socket, SYS_getppid, SYS_prctl, SYS_personality] = [41, 110, 157, 135]
const EPERM = 1
const EACCES = 13

/** What /bin/true (dynamically linked, glibc) needs, plus what the launcher needs after the filter. */
const trueNeeds = [
  "brk", "arch_prctl", "mmap", "munmap", "mprotect", "access", "openat", "newfstatat", "fstat", "read", "close",
  "pread64", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom", "exit_group"
]

export const seccompSuite = (api: SeccompApi): void => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(probeSource)
  })

  const withRules = (rules: ReadonlyArray<RuleJson>, json: Partial<PolicyJson> = {}): RunOptions<unknown, Services> => ({
    plugins: [seccomp(policy({ default: "allow", ...json, rules }))]
  })

  /** Run the probe for `nr` with `args` under `rules`; its one line of output. */
  const probeUnder = async (rules: ReadonlyArray<RuleJson>, nr: number, ...args: ReadonlyArray<bigint | number>): Promise<string> => {
    const result = await api.run([probe, String(nr), ...args.map((value) => `0x${value.toString(16)}`)], withRules(rules))
    expect(result.exitCode, result.stderr).toBe(0)
    return result.stdout.trim()
  }

  describe("actions", () => {
    it("errno fails the call with the errno, and the target goes on", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-"))
      const result = await api.run(["mkdir", join(dir, "x")], withRules([{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }]))
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toContain("Operation not permitted")
      expect(existsSync(join(dir, "x"))).toBe(false)
    })

    it("kill ends the process with SIGSYS and the diagnosis names the syscall", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-"))
      const result = await api.run(["mkdir", join(dir, "x")], withRules([{ action: "kill", syscalls: ["mkdir", "mkdirat"] }]))
      expect(result).toMatchObject({ exitCode: undefined, signal: "SIGSYS" })
      expect(result.diagnosis).toMatchObject({ cause: "seccomp", syscalls: expect.arrayContaining(["mkdir"]) })
      expect(existsSync(join(dir, "x"))).toBe(false)
    })

    it("kill-thread ends a single-threaded target with SIGSYS", async () => {
      const result = await api.run(["/bin/true"], withRules([{ action: "kill-thread", syscalls: ["exit_group"] }]))
      expect(result.signal).toBe("SIGSYS")
    })

    it("trap sends SIGSYS (Bad system call)", async () => {
      const result = await api.run(["uname"], withRules([{ action: "trap", syscalls: ["uname"] }]))
      expect(result.signal).toBe("SIGSYS")
      expect(result.diagnosis?.message).toContain("uname")
    })

    it("log lets the call through", async () => {
      expect(await probeUnder([{ action: "log", syscalls: ["getppid"] }], SYS_getppid)).toMatch(/^ok \d+$/)
    })

    it("allow wins over a denying default: a strict allowlist runs /bin/true", async () => {
      const allowlist = seccomp(policy({ default: "kill", rules: [{ action: "allow", syscalls: [...trueNeeds, ...launcherSyscalls] }] }))
      const result = await api.run(["/bin/true"], { plugins: [allowlist] })
      expect(result).toMatchObject({ exitCode: 0, signal: undefined })
    })

    it("a strict allowlist kills a target that steps outside it", async () => {
      const allowlist = seccomp(policy({ default: "kill", rules: [{ action: "allow", syscalls: [...trueNeeds, ...launcherSyscalls] }] }))
      const result = await api.run(["uname"], { plugins: [allowlist] })
      expect(result.signal).toBe("SIGSYS")
      expect(result.diagnosis?.message).toContain("default")
    })
  })

  describe("argument conditions on real syscalls", () => {
    const deny = (op: string, value: bigint, extra: object = {}): RuleJson =>
      ({ action: "errno", errno: "EPERM", syscalls: ["getppid"], args: [{ index: 0, op, value: value.toString(), ...extra }] }) as RuleJson
    const denied = `errno ${EPERM}`

    it.each([
      ["==", [false, true, false]],
      ["!=", [true, false, true]],
      ["<", [true, false, false]],
      ["<=", [true, true, false]],
      [">", [false, false, true]],
      [">=", [false, true, true]]
    ] as const)("%s compares argument 0 with 10 (probing 9, 10, 11)", async (op, expected) => {
      const outcomes = []
      for (const value of [9n, 10n, 11n]) outcomes.push((await probeUnder([deny(op, 10n)], SYS_getppid, value)) === denied)
      expect(outcomes).toEqual(expected)
    })

    it("masked== compares (arg & mask) with the value", async () => {
      const rule = deny("masked==", 0x20n, { mask: "0xf0" })
      expect(await probeUnder([rule], SYS_getppid, 0x25n)).toBe(denied)
      expect(await probeUnder([rule], SYS_getppid, 0x35n)).toMatch(/^ok/)
    })

    it("compares all 64 bits of a value", async () => {
      const rule = deny("==", 0xdeadbeefcafef00dn)
      expect(await probeUnder([rule], SYS_getppid, 0xdeadbeefcafef00dn)).toBe(denied)
      expect(await probeUnder([rule], SYS_getppid, 0x0eadbeefcafef00dn)).toMatch(/^ok/)
      expect(await probeUnder([rule], SYS_getppid, 0xdeadbeefcafef00cn)).toMatch(/^ok/)
      expect(await probeUnder([deny(">", 0xffffffffn)], SYS_getppid, 0x100000000n)).toBe(denied)
    })

    it("matches socket by domain: AF_INET denied, AF_UNIX allowed", async () => {
      const rule: RuleJson = { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }
      expect(await probeUnder([rule], SYS_socket, 2, 1, 0)).toBe(`errno ${EACCES}`)
      expect(await probeUnder([rule], SYS_socket, 1, 1, 0)).toMatch(/^ok \d+$/)
    })

    it("matches prctl by option", async () => {
      const PR_GET_DUMPABLE = 3
      const PR_GET_NO_NEW_PRIVS = 39
      const rule: RuleJson = { action: "errno", errno: "EPERM", syscalls: ["prctl"], args: [{ index: 0, op: "==", value: PR_GET_DUMPABLE }] }
      expect(await probeUnder([rule], SYS_prctl, PR_GET_DUMPABLE)).toBe(denied)
      // The launcher set no-new-privs before installing the filter: the target sees 1.
      expect(await probeUnder([rule], SYS_prctl, PR_GET_NO_NEW_PRIVS)).toBe("ok 1")
    })

    it("matches personality by persona, and a conditional rule beside an unconditional one", async () => {
      const queryOnly: RuleJson = { action: "errno", errno: "EPERM", syscalls: ["personality"], args: [{ index: 0, op: "!=", value: "0xffffffff" }] }
      expect(await probeUnder([queryOnly], SYS_personality, 0xffffffffn)).toMatch(/^ok/)
      expect(await probeUnder([queryOnly], SYS_personality, 0x0040000n)).toBe(denied)
    })
  })

  describe("composition", () => {
    it("applies resource limits and a seccomp filter to one child", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-"))
      const result = await api.run(["/bin/sh", "-c", `ulimit -n; ulimit -c; mkdir ${join(dir, "x")}`], {
        plugins: [rlimit({ nofile: 32, core: 0 }), seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))]
      })
      expect(result.stdout).toBe("32\n0\n")
      expect(result.stderr).toContain("Operation not permitted")
      expect(result.exitCode).toBe(1)
    })
  })

  describe("bad policies start nothing", () => {
    const bad: ReadonlyArray<readonly [string, unknown, string]> = [
      ["an unknown syscall", { default: "allow", rules: [{ action: "kill", syscalls: ["mkdri"] }] }, 'Unknown syscall "mkdri": did you mean "mkdir"?'],
      ["a bad argument index", { default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [{ index: 6, op: "==", value: 1 }] }] }, "rules[0].args[0].index"],
      ["a bad operator", { default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [{ index: 0, op: "=~", value: 1 }] }] }, "rules[0].args[0].op"],
      ["an unknown errno", { default: "allow", rules: [{ action: "errno", errno: "EPRM", syscalls: ["mkdir"] }] }, '"EPERM"'],
      ["an unknown action", { default: "allow", rules: [{ action: "deny", syscalls: ["mkdir"] }] }, "rules[0].action"],
      ["a duplicate condition", { default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 1 }, { index: 0, op: "==", value: 2 }] }] }, "rules[0].args[1]"],
      ["a policy that blocks execve", { default: "kill", rules: [{ action: "allow", syscalls: ["read"] }] }, 'allow "execve"']
    ]

    it.each(bad)("rejects %s with a typed PolicyError", async (_name, json, text) => {
      const marker = join(mkdtempSync(join(tmpdir(), "kakoi-")), "ran")
      const outcome = api.run(["touch", marker], { plugins: [seccomp(json as PolicyJson)] })
      await expect(outcome).rejects.toMatchObject({ _tag: "PolicyError" })
      await expect(outcome).rejects.toThrow(text)
      expect(existsSync(marker)).toBe(false)
    })
  })
}
