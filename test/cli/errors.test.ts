/**
 * How `kakoi run` fails: usage mistakes and bad policies exit 2 with one
 * message (and a hint for usage) and start nothing; a command that cannot be
 * found or executed exits 127 or 126, as in a shell.
 */
import { chmodSync, existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { kakoi, lines, tempDir } from "./kakoi.ts"

const runHint = "Try 'kakoi run --help' for more information"

describe("kakoi run: usage errors", () => {
  it.each([
    ["an unknown option", ["--bogus"], /^kakoi: Unknown option '--bogus'$/],
    ["--errno without a colon", ["--errno", "EPERM"], /^kakoi: --errno takes ERRNO:SYSCALL\[,SYSCALL\.\.\.\], got "EPERM"$/],
    ["--errno without syscalls", ["--errno", "EPERM:"], /^kakoi: --errno takes ERRNO:SYSCALL\[,SYSCALL\.\.\.\], got "EPERM:"$/],
    ["--allow with an empty name", ["--allow", "mkdir,"], /^kakoi: --allow takes SYSCALL\[,SYSCALL\.\.\.\], got "mkdir,"$/],
    ["--rlimit without a value", ["--rlimit", "nofile"], /^kakoi: Cannot parse resource limit "nofile": expected NAME=SOFT\[:HARD\]/],
    ["--rlimit with an unknown limit", ["--rlimit", "bogus=3"], /^kakoi: Unknown resource limit "bogus"/],
    ["--default nonsense", ["--default", "nonsense"], /^kakoi: Invalid --default "nonsense": Unknown action "nonsense": use one of "allow", "kill"/],
    ["--default errno without a value", ["--default", "errno"], /^kakoi: --default takes an action such as "allow", "kill" or "errno:EPERM", got "errno"$/],
    ["--default with a misspelt errno", ["--default", "errno:EPREM"], /^kakoi: Invalid --default "errno:EPREM": Unknown errno "EPREM": did you mean "EPERM"\?$/]
  ])("rejects %s with exit 2, a message and a hint, and runs nothing", (_what, options, message) => {
    const marker = join(tempDir(), "ran")
    const result = kakoi(["run", ...options, "--", "touch", marker])
    expect(result.status).toBe(2)
    expect(result.stdout).toBe("")
    expect(lines(result.stderr)).toEqual([expect.stringMatching(message), runHint])
    expect(existsSync(marker)).toBe(false)
  })

  it("rejects an empty --cwd with exit 2 (a bad option value is the user's mistake), and runs nothing", () => {
    const marker = join(tempDir(), "ran")
    const result = kakoi(["run", "--cwd", "", "--", "touch", marker])
    expect(result.status).toBe(2)
    expect(result.stderr).toBe('kakoi: Invalid child spec at cwd: Expected a value with a length of at least 1, got ""\n')
    expect(existsSync(marker)).toBe(false)
  })

  it("rejects a missing command after -- with exit 2", () => {
    const result = kakoi(["run", "--trap", "uname", "--"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^kakoi: No command given: put it after --/), runHint])
  })
})

describe("kakoi run: policy errors", () => {
  it("rejects an unknown syscall with exit 2 and a suggestion", () => {
    const result = kakoi(["run", "--errno", "EPERM:mkdri", "--", "true"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^kakoi: .*Unknown syscall "mkdri": did you mean "mkdir"\?$/)])
  })

  it("rejects an unknown syscall in a --policy file the same way, naming the file (not for an option's rule after it)", () => {
    const file = join(tempDir(), "policy.json")
    writeFileSync(file, JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdri"] }] }))
    const result = kakoi(["run", "--policy", file, "--", "true"])
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(`kakoi: Invalid seccomp policy in ${JSON.stringify(file)} at rules[0].syscalls[0]: Unknown syscall "mkdri": did you mean "mkdir"?\n`)
    const good = join(tempDir(), "good.json")
    writeFileSync(good, JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }))
    const option = kakoi(["run", "--policy", good, "--kill", "mkdri", "--", "true"])
    expect(option).toMatchObject({ status: 2, stderr: 'kakoi: Invalid seccomp policy at rules[1].syscalls[0]: Unknown syscall "mkdri": did you mean "mkdir"?\n' })
  })

  it("rejects a --policy file that is not JSON with exit 2", () => {
    const file = join(tempDir(), "policy.json")
    writeFileSync(file, "{ default: allow }")
    const result = kakoi(["run", "--policy", file, "--", "true"])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/^kakoi: .*Cannot parse JSON/)
  })

  it("rejects a missing --policy file with exit 2, naming the file", () => {
    const file = join(tempDir(), "missing.json")
    const result = kakoi(["run", "--policy", file, "--", "true"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toEqual([`kakoi: Cannot read policy file "${file}": ENOENT`, runHint])
  })

  it("rejects a policy under which the command could never be executed", () => {
    const result = kakoi(["run", "--default", "kill", "--allow", "write", "--", "true"])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/^kakoi: Policy blocks execve, so the target can never start/)
  })
})

describe("kakoi run: commands that cannot run", () => {
  it("exits 127 when the command is not found", () => {
    const result = kakoi(["run", "--", "kakoi-no-such-command"])
    expect(result).toMatchObject({ status: 127, stdout: "", stderr: "kakoi: Command not found: kakoi-no-such-command\n" })
  })

  it("exits 126 when the file is not executable", () => {
    const file = join(tempDir(), "script.sh")
    writeFileSync(file, "#!/bin/sh\necho hi\n")
    chmodSync(file, 0o644)
    const result = kakoi(["run", "--", file])
    expect(result.status).toBe(126)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^kakoi: Permission denied: /)
    expect(result.stderr).toContain(file)
  })

  it("exits 125, like env -C, when --cwd does not exist", () => {
    const dir = join(tempDir(), "missing")
    const result = kakoi(["run", "--cwd", dir, "--", "pwd"])
    expect(result.status).toBe(125)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain(`"${dir}": ENOENT`)
  })
})
