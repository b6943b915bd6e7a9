/**
 * `kakoi run` with the policy features that make policies hold: families and
 * groups in options, warnings for a family denied in part, errno 0 refused,
 * strict policy files (duplicate keys, big numbers, NUL in names).
 */
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { kakoi, tempDir } from "./kakoi.ts"

const policyFile = (text: string): string => {
  const file = join(tempDir(), "policy.json")
  writeFileSync(file, text)
  return file
}

describe("kakoi run: policies that hold", () => {
  it("--errno EPERM:family:mkdir denies every way to make a directory, without a warning", () => {
    const dir = join(tempDir(), "x")
    const result = kakoi(["run", "--errno", "EPERM:family:mkdir", "--", "mkdir", dir])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/^mkdir: .*Operation not permitted\n$/)
    expect(existsSync(dir)).toBe(false)
  })

  it("warns when a rule denies mkdir but mkdirat stays allowed, and still runs the command", () => {
    const result = kakoi(["run", "--errno", "EPERM:mkdir", "--", "true"])
    expect(result.status).toBe(0)
    expect(result.stderr).toBe(
      'kakoi: warning: rules[0] denies "mkdir" but "mkdirat" of the same family is allowed (allow, by the default action): deny "family:mkdir" to cover every member\n'
    )
  })

  it("takes systemd groups in options", () => {
    const file = policyFile("{}")
    const result = kakoi(["run", "--errno", "EPERM:@chown", "--", "chown", "0:0", file])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Operation not permitted")
  })

  it("refuses --errno 0 and --default errno:0 with exit 2", () => {
    const result = kakoi(["run", "--errno", "0:mkdir", "--", "true"])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--errno "0:mkdir" uses errno 0, which makes a call return 0 (success) without running it: give an errno such as EPERM')
    expect(kakoi(["run", "--default", "errno:0", "--", "true"]).status).toBe(2)
  })

  it("rejects a policy file that names a key twice, saying where", () => {
    const file = policyFile('{\n  "default": "allow",\n  "rules": [{ "action": "kill", "syscalls": ["mkdir"] }],\n  "rules": []\n}\n')
    const marker = join(tempDir(), "ran")
    const result = kakoi(["run", "--policy", file, "--", "touch", marker])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('Key "rules" appears twice in one object (at line 4, column 3; first at line 3, column 3)')
    expect(existsSync(marker)).toBe(false)
  })

  it("quotes a number beyond 2^64 as written, and refuses a NUL in a syscall name", () => {
    const big = policyFile('{"default": "allow", "rules": [{"action": "kill", "syscalls": ["clone"], "args": [{"index": 0, "op": "==", "value": 99999999999999999999999}]}]}')
    expect(kakoi(["run", "--policy", big, "--", "true"]).stderr).toContain('Invalid value "99999999999999999999999": out of the 64-bit range')
    const nul = policyFile('{"default": "allow", "rules": [{"action": "kill", "syscalls": ["mkdir\\u0000x"]}]}')
    const result = kakoi(["run", "--policy", nul, "--", "true"])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('Invalid syscall name "mkdir\\u0000x"')
  })
})
