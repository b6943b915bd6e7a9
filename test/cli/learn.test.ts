/**
 * `kakoi learn` end to end: the command runs with its own output while every
 * syscall is observed, a table goes to stderr, and the written policy runs
 * the command again and denies what it never called.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { buildC } from "../helpers/build-c.ts"
import { asExecutable, kakoi, lines, tempDir } from "./kakoi.ts"

const probeSource = fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url))
const SYS_getppid = 110

describe("kakoi learn", () => {
  let dir = ""
  let policyFile = ""
  let learned: ReturnType<typeof kakoi>
  let probe = ""
  beforeAll(() => {
    dir = tempDir()
    policyFile = join(dir, "ls.json")
    learned = kakoi(["learn", "--out", policyFile, "--", "ls", "/"])
    probe = buildC(probeSource)
  })

  it("runs the command with its own output, prints a table on stderr and writes an allowlist", () => {
    expect(learned.status, learned.stderr).toBe(0)
    expect(learned.stdout).toContain("usr\n")
    const table = lines(learned.stderr)
    expect(table[0]).toMatch(/^SYSCALL +NR +CALLS +PROCESSES$/)
    expect(table).toContainEqual(expect.stringMatching(/^openat +257 +\d+ +ls\[\d+\]$/))
    expect(table).toContainEqual(expect.stringMatching(/^exit_group +231 +1 +ls\[\d+\]$/))
    expect(table.at(-1)).toBe(`kakoi: learned ${table.length - 2} syscalls from 1 process; policy written to ${policyFile}`)
    const policy = JSON.parse(readFileSync(policyFile, "utf8"))
    expect(policy.default).toEqual({ errno: "EPERM" })
    expect(policy.rules).toHaveLength(1)
    expect(policy.rules[0].syscalls).toEqual(expect.arrayContaining(["execve", "openat", "getdents64", "exit_group"]))
  })

  it("the learned policy runs the command again with the same output", () => {
    const again = kakoi(["run", "--policy", policyFile, "--", "ls", "/"])
    expect(again).toMatchObject({ status: 0, stdout: learned.stdout, stderr: "" })
  })

  it("denies with EPERM what the command never called: mkdir, getppid", () => {
    expect(learned.stderr).not.toMatch(/^(mkdir|mkdirat|getppid) /m)
    const target = join(dir, "x")
    const mkdir = kakoi(["run", "--policy", policyFile, "--", "mkdir", target])
    expect(mkdir.status).toBe(1)
    expect(mkdir.stderr).toMatch(/^mkdir: .*Operation not permitted\n$/)
    expect(kakoi(["run", "--policy", policyFile, "--", probe, String(SYS_getppid)])).toMatchObject({ status: 0, stdout: "errno 1\n" })
  })

  it("--errno chooses the errno; without --out the policy follows the command's output on stdout", () => {
    const result = kakoi(["learn", "--errno", "EACCES", "--", probe, "39"])
    expect(result.status, result.stderr).toBe(0)
    const [first, ...rest] = lines(result.stdout)
    expect(first).toMatch(/^ok \d+$/)
    const policy = JSON.parse(rest.join("\n"))
    expect(policy.default).toEqual({ errno: "EACCES" })
    expect(policy.rules[0].syscalls).toContain("getpid")
    expect(lines(result.stderr).at(-1)).toMatch(/^kakoi: learned \d+ syscalls from 1 process; policy on stdout$/)
  })

  // As kakoi run: `nohup kakoi learn -- long-job` must survive the hangup nohup is for, kakoi and the command both.
  it("under nohup, the command keeps SIGHUP ignored and kakoi itself survives one", async () => {
    const out = join(dir, "nohup.json")
    const own = await asExecutable(`trap '' HUP; exec "$0" learn --out ${out} -- sh -c 'kill -HUP $$; echo survived' 2>/dev/null`)
    expect(own).toEqual({ status: 0, stdout: "survived\n" })
    const hungUp = await asExecutable(`trap '' HUP; "$0" learn --out ${out} -- sh -c 'sleep 1; echo slept' 2>/dev/null & sleep 0.5; kill -HUP $!; wait $!`)
    expect(hungUp).toEqual({ status: 0, stdout: "slept\n" })
  })

  it("exits with the command's status, and 2 for usage mistakes", () => {
    expect(kakoi(["learn", "--out", join(dir, "false.json"), "--", "false"]).status).toBe(1)
    const noCommand = kakoi(["learn", "--out", policyFile])
    expect(noCommand.status).toBe(2)
    expect(noCommand.stderr).toContain("No command given")
    const badErrno = kakoi(["learn", "--errno", "EBOGUS", "--", "true"])
    expect(badErrno.status).toBe(2)
    expect(badErrno.stderr).toContain('--errno takes an errno name or number such as EPERM or 1, got "EBOGUS"')
    expect(kakoi(["help", "learn"]).stdout).toMatch(/^Usage: kakoi learn/)
  })

  // As the shell's `> FILE`: an --out that cannot be written fails before the command runs, not after its run was learned.
  it("refuses an --out it cannot write before running the command, and a failed run leaves --out as it was", () => {
    const marker = join(dir, "ran")
    const unwritable = kakoi(["learn", "--out", join(dir, "missing/policy.json"), "--", "touch", marker])
    expect(unwritable).toMatchObject({ status: 2, stdout: "" })
    expect(lines(unwritable.stderr)).toEqual([
      `kakoi: Cannot write the policy to "${join(dir, "missing/policy.json")}": ENOENT (No such file or directory)`,
      "Try 'kakoi learn --help' for more information"
    ])
    expect(existsSync(marker)).toBe(false)
    const kept = join(dir, "kept.json")
    writeFileSync(kept, "{}\n")
    expect(kakoi(["learn", "--out", kept, "--", "no-such-command-kakoi"]).status).toBe(127)
    expect(readFileSync(kept, "utf8")).toBe("{}\n")
  })
})
