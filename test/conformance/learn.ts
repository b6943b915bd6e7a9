/**
 * Learn mode as a library call, for any adapter: the command runs as usual
 * while every syscall is observed; the learned policy runs it again, denies a
 * syscall it never made with the chosen errno, leaves out the launcher's own
 * calls before exec, and captures exit_group and rt_sigreturn.
 */
import type { Services } from "../../adapters/portable.ts"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { launcherSyscalls, seccomp, type LearnOptions, type LearnResult } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

/** One adapter under test. */
export interface LearnApi {
  readonly runtime: string
  readonly learn: (argv: ReadonlyArray<string>, options?: LearnOptions<unknown, Services>) => Promise<LearnResult>
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<RunResult>
}

const probeSource = fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url))
const [SYS_getpid, SYS_getppid] = [39, 110]
const EACCES = 13

const allowed = (result: LearnResult): ReadonlyArray<string> => result.policy.rules.flatMap((rule) => rule.action.kind === "allow" ? rule.syscalls : [])

export const learnSuite = (api: LearnApi): void => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(probeSource)
  })

  describe(`learn mode on ${api.runtime}`, () => {
    it("learns a policy that runs the command again and denies what it never called, with the chosen errno", async () => {
      const learned = await api.learn([probe, String(SYS_getpid)], { errno: "EACCES" })
      // getpid answers the target's pid in its own pid namespace: 2.
      expect(learned.exit).toMatchObject({ exitCode: 0, stdout: "ok 2\n" })
      const names = learned.syscalls.map((entry) => entry.name)
      expect(names).toEqual(expect.arrayContaining(["execve", "getpid", "write", "exit_group"]))
      expect(names).not.toContain("getppid")
      expect(learned.policy.default).toEqual({ kind: "errno", errno: EACCES })
      expect(allowed(learned)).toEqual(expect.arrayContaining([...names, ...launcherSyscalls]))

      const options = { plugins: [seccomp(learned.policy)] }
      expect(await api.run([probe, String(SYS_getpid)], options)).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^ok \d+\n$/) })
      expect(await api.run([probe, String(SYS_getppid)], options)).toMatchObject({ exitCode: 0, stdout: `errno ${EACCES}\n` })
    })

    it("counts only the command's calls: one execve, every call by the target's own pid", async () => {
      const learned = await api.learn([probe, String(SYS_getpid)])
      expect(learned.syscalls.find((entry) => entry.name === "execve")?.count).toBe(1)
      const pids = new Set(learned.syscalls.flatMap((entry) => entry.processes.map(({ pid }) => pid)))
      expect([...pids]).toEqual([learned.exit.pid])
      expect(learned.syscalls.find((entry) => entry.name === "getpid")).toMatchObject({ count: 1, syscall: SYS_getpid })
    })

    it("follows children, names the processes, and captures rt_sigreturn", async () => {
      const script = `trap 'echo caught' USR1; kill -USR1 $$; ${probe} ${SYS_getppid} >/dev/null; echo done`
      const learned = await api.learn(["/bin/sh", "-c", script])
      expect(learned.exit).toMatchObject({ exitCode: 0, stdout: "caught\ndone\n" })
      const byName = new Map(learned.syscalls.map((entry) => [entry.name, entry]))
      expect([...byName.keys()]).toEqual(expect.arrayContaining(["rt_sigreturn", "exit_group", "getppid", "kill"]))
      const getppidBy = byName.get("getppid")?.processes.map(({ command }) => command)
      expect(getppidBy).toContain("syscall-probe")
      const again = await api.run(["/bin/sh", "-c", script], { plugins: [seccomp(learned.policy)] })
      expect(again).toMatchObject({ exitCode: 0, stdout: "caught\ndone\n" })
    })

    it("refuses an unknown errno before anything runs", async () => {
      await expect(api.learn([probe, String(SYS_getpid)], { errno: "EBOGUS" as never })).rejects.toMatchObject({ _tag: "PolicyError" })
    })
  })
}
