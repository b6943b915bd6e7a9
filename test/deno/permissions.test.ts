/** The Deno adapter names a missing permission in a typed error instead of failing deep inside with PermissionDenied. */
import { execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const fixture = fileURLToPath(new URL("../fixtures/deno-permissions.ts", import.meta.url))

/** The fixture's outcome under exactly these Deno flags. */
const outcome = (flags: ReadonlyArray<string>, mode = "explicit-env", ...args: ReadonlyArray<string>): unknown =>
  JSON.parse(execFileSync(Deno.execPath(), ["run", "--no-prompt", ...flags, fixture, mode, ...args], { encoding: "utf8" }))

describe("Deno permissions", () => {
  it("runs with --allow-ffi and --allow-run restricted to the target, nothing else", () => {
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true"])).toEqual({ exitCode: 0 })
  })

  it("fails with DenoPermissionError naming --allow-ffi when FFI is denied", () => {
    expect(outcome(["--allow-run=/bin/true"])).toEqual({
      _tag: "DenoPermissionError",
      permission: "ffi",
      message: 'Deno permission "ffi" is required to call libc and libseccomp: run with --allow-ffi'
    })
  })

  it("fails with DenoPermissionError naming --allow-run for the target when it is not allowed, even though FFI could start it", () => {
    expect(outcome(["--allow-ffi", `--allow-run=${Deno.execPath()}`])).toEqual({
      _tag: "DenoPermissionError",
      permission: "run",
      message: 'Deno permission "run" is required to start "/bin/true": run with --allow-run=/bin/true'
    })
    expect(outcome(["--allow-ffi"])).toMatchObject({ _tag: "DenoPermissionError", permission: "run" })
  })

  it("trapInProcess without --allow-run says its helper needs it, not just that it gave no answer", () => {
    expect(outcome(["--allow-ffi", "--allow-read", "--allow-env"], "trap-in-process")).toEqual({
      _tag: "TrapError",
      message: `Cannot trap in process: the helper process did not start: Requires run access to "${Deno.execPath()}", run again with the --allow-run flag`
    })
  })

  it("asks again for every spawn: --allow-run revoked at run time is a DenoPermissionError", () => {
    expect(outcome(["--allow-ffi", "--allow-run"])).toEqual({ exitCode: 0 })
    expect(outcome(["--allow-ffi", "--allow-run"], "revoked")).toMatchObject({ _tag: "DenoPermissionError", permission: "run" })
  })

  it("checks the command as the child's PATH resolves it", () => {
    expect(outcome(["--allow-ffi", "--allow-run=/usr/bin/true"], "path-lookup")).toEqual({ exitCode: 0 })
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true"], "path-lookup")).toMatchObject({
      permission: "run",
      message: expect.stringContaining("--allow-run=/usr/bin/true")
    })
  })

  it("a bare command found nowhere on PATH is not found, as for Deno.Command, whatever --allow-run covers: no flag would start it", () => {
    const notFound = { _tag: "SpawnError", message: "Command not found: no-such-command-kakoi" }
    expect(outcome(["--allow-ffi", "--allow-run=/usr/bin/true"], "not-found")).toEqual(notFound)
    expect(outcome(["--allow-ffi", "--allow-run"], "not-found")).toEqual(notFound)
  })

  it("resolves a relative PATH entry from the child's cwd: --allow-run=/bin/true starts no other `true` found there", () => {
    const dir = mkdtempSync(join(tmpdir(), "kakoi-deno-cwd-"))
    mkdirSync(join(dir, "evil"))
    for (const script of [join(dir, "true"), join(dir, "evil", "true")]) {
      writeFileSync(script, "#!/bin/sh\nexit 42\n")
      chmodSync(script, 0o755)
    }
    // The test's own cwd (the checkout) holds no `true`: looked up from there, each would resolve to /bin/true.
    for (const [path, found] of [[":/bin", "true"], [".:/bin", "./true"], ["evil:/bin", "evil/true"]] as const) {
      expect(outcome(["--allow-ffi", "--allow-run=/bin/true"], "child-cwd", dir, path)).toEqual({
        _tag: "DenoPermissionError",
        permission: "run",
        message: `Deno permission "run" is required to start "${dir}/${found}": run with --allow-run=${dir}/${found}`
      })
    }
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true"], "child-cwd", dir, "/bin")).toEqual({ exitCode: 0 })
  })

  it("execs the file it checked: a `true` that appears earlier in PATH after the check is not the one started", () => {
    const dir = mkdtempSync(join(tmpdir(), "kakoi-deno-race-"))
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true", `--allow-write=${dir}`], "appears-after-check", dir)).toEqual({ exitCode: 0 })
    // The file was there to be found: the child would have run it had it searched PATH again.
    expect(outcome(["--allow-ffi", "--allow-run", `--allow-write=${dir}`], "appears-after-check", dir)).toEqual({ exitCode: 42 })
  })

  it("checks the command a plugin's spawn hook made, not only the one given: --allow-run=/bin/true starts no /bin/sh", () => {
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true"], "plugin-rewrites")).toEqual({
      _tag: "DenoPermissionError",
      permission: "run",
      message: 'Deno permission "run" is required to start "/bin/sh": run with --allow-run=/bin/sh'
    })
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true,/bin/sh"], "plugin-rewrites")).toEqual({ exitCode: 43 })
  })

  it("execs a relative command by the absolute path it checked: a plugin's later chdir finds no other file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kakoi-deno-chdir-"))
    for (const [sub, code] of [["a", 7], ["b", 42]] as const) {
      mkdirSync(join(dir, sub))
      writeFileSync(join(dir, sub, "tool"), `#!/bin/sh\nexit ${code}\n`)
      chmodSync(join(dir, sub, "tool"), 0o755)
    }
    expect(outcome(["--allow-ffi", `--allow-run=${dir}/a/tool`], "plugin-chdir", dir)).toEqual({ exitCode: 7 })
  })

  it("needs --allow-env only when the child inherits the supervisor's environment", () => {
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true"], "inherit-env")).toMatchObject({
      _tag: "DenoPermissionError",
      permission: "env",
      message: expect.stringContaining("run with --allow-env")
    })
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true", "--allow-env"], "inherit-env")).toEqual({ exitCode: 0 })
  })
})
