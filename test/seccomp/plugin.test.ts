/** The seccomp() plugin: its steps, its launcher check and its SIGSYS diagnosis. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import type { ExitResult } from "../../core/exit.ts"
import { makeSpec, type ChildSpec } from "../../core/spec.ts"
import type { PolicyError, SeccompLibrary } from "../../plugins/seccomp/mod.ts"
import { compile, policy, seccomp } from "../../plugins/seccomp/mod.ts"

const run = <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>): Promise<A> => Effect.runPromise(Effect.provide(effect, layer))

const spec: ChildSpec<PolicyError, SeccompLibrary> = makeSpec(["/bin/true"], { env: {}, stdio: "ignore" }, { env: () => ({}), stdio: ["ignore", "ignore", "ignore"] })

const exited = (signal: ExitResult["signal"]): ExitResult => ({ pid: 42, exitCode: undefined, signal, durationMs: 5, diagnosis: undefined })

const hooks = (plugin: ReturnType<typeof seccomp<never>>) => {
  const { spawn, preExec, exit } = plugin
  if (spawn === undefined || preExec === undefined || exit === undefined) throw new Error("seccomp() must hook spawn, preExec and exit")
  return { spawn, preExec, exit }
}

describe("seccomp()", () => {
  it("contributes no-new-privs, then the compiled filter", async () => {
    const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
    const { spawn, preExec } = hooks(seccomp(p))
    expect(await run(spawn(spec))).toBe(spec)
    const steps = await run(preExec(spec))
    const { bpf } = await run(compile(p))
    expect(steps).toEqual([{ kind: "no-new-privs" }, { kind: "seccomp", bpf }])
    expect(steps[1]?.kind === "seccomp" && steps[1].bpf).toBe(bpf)
  })

  it("leaves no-new-privs out when the policy turns it off", async () => {
    const { preExec } = hooks(seccomp({ default: "allow", rules: [{ action: "kill", syscalls: ["ptrace"] }], attributes: { noNewPrivs: false } }))
    expect((await run(preExec(spec))).map((step) => step.kind)).toEqual(["seccomp"])
  })

  it("fails the spawn for a policy that blocks execve, unless told otherwise", async () => {
    const strict = policy((rule) => rule.allow("read", "write", "exit_group"), { default: "kill" })
    const error = await run(Effect.flip(hooks(seccomp(strict)).spawn(spec)))
    expect(error.reason).toBe("ExecveBlocked")
    expect(error.message).toBe('Policy blocks execve, so the target can never start: allow "execve" (see launcherSyscalls)')
    expect((await run(hooks(seccomp(strict, { checkLauncher: false })).preExec(spec))).map((s) => s.kind)).toEqual(["no-new-privs", "seccomp"])
  })

  it("fails the spawn with the policy's error for bad JSON or an unknown syscall", async () => {
    const badJson = await run(Effect.flip(hooks(seccomp({ default: "allow", rules: [{ action: "kil" as "kill", syscalls: ["mkdir"] }] })).spawn(spec)))
    expect(badJson.reason).toBe("UnknownAction")
    const typo = await run(Effect.flip(hooks(seccomp({ default: "allow", rules: [{ action: "kill", syscalls: ["mkdri"] }] })).spawn(spec)))
    expect(typo.message).toBe('Invalid seccomp policy at rules[0].syscalls[0]: Unknown syscall "mkdri": did you mean "mkdir"?')
  })

  it("explains a SIGSYS exit and leaves other exits alone", async () => {
    const { exit } = hooks(seccomp(policy((rule) => rule.kill("mkdir").trap("uname"), { default: "allow" })))
    const explained = await run(exit(exited("SIGSYS"), spec))
    expect(explained.diagnosis).toEqual({
      cause: "seccomp",
      message: 'Killed by the seccomp filter (SIGSYS): "mkdir" is killed by rules[0], or "uname" is trapped by rules[1]',
      syscalls: ["mkdir", "uname"]
    })
    expect(await run(exit(exited("SIGTERM"), spec))).toEqual(exited("SIGTERM"))
  })
})
