/** The Deno adapter names a missing permission in a typed error instead of failing deep inside with PermissionDenied. */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const fixture = fileURLToPath(new URL("../fixtures/deno-permissions.ts", import.meta.url))

/** The fixture's outcome under exactly these Deno flags. */
const outcome = (flags: ReadonlyArray<string>, mode = "explicit-env"): unknown =>
  JSON.parse(execFileSync(Deno.execPath(), ["run", "--no-prompt", ...flags, fixture, mode], { encoding: "utf8" }))

describe("Deno permissions", () => {
  it("runs with --allow-ffi and --allow-run restricted to deno itself, nothing else", () => {
    expect(outcome(["--allow-ffi", `--allow-run=${Deno.execPath()}`])).toEqual({ exitCode: 0 })
  })

  it("fails with DenoPermissionError naming --allow-ffi when FFI is denied", () => {
    expect(outcome(["--allow-run"])).toEqual({
      _tag: "DenoPermissionError",
      permission: "ffi",
      message: 'Deno permission "ffi" is required to call libc and libseccomp: run with --allow-ffi'
    })
  })

  it("fails with DenoPermissionError naming --allow-run when running deno is denied", () => {
    expect(outcome(["--allow-ffi", "--allow-run=/bin/true"])).toMatchObject({ _tag: "DenoPermissionError", permission: "run" })
  })

  it("needs --allow-env only when the child inherits the supervisor's environment", () => {
    expect(outcome(["--allow-ffi", "--allow-run"], "inherit-env")).toMatchObject({
      _tag: "DenoPermissionError",
      permission: "env",
      message: expect.stringContaining("run with --allow-env")
    })
    expect(outcome(["--allow-ffi", "--allow-run", "--allow-env"], "inherit-env")).toEqual({ exitCode: 0 })
  })
})
