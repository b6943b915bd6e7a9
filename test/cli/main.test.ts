/** The `kakoi` command itself: help, version and unknown subcommands. */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { bin, kakoi, lines } from "./kakoi.ts"

describe("kakoi help", () => {
  it.each([
    [["--help"], "Usage:\n  kakoi run [OPTIONS] -- CMD [ARGS...]"],
    [["-h"], "Usage:\n  kakoi run [OPTIONS] -- CMD [ARGS...]"],
    [[], "Usage:\n  kakoi run [OPTIONS] -- CMD [ARGS...]"],
    [["help"], "Usage:\n  kakoi run [OPTIONS] -- CMD [ARGS...]"],
    [["help", "run"], "Usage: kakoi run [OPTIONS] [--] CMD [ARGS...]"],
    [["run", "--help"], "Usage: kakoi run [OPTIONS] [--] CMD [ARGS...]"],
    [["syscall", "--help"], "Usage: kakoi syscall NAME|NUMBER [--arch ARCH]"],
    [["help", "syscall"], "Usage: kakoi syscall NAME|NUMBER [--arch ARCH]"],
    [["export", "--help"], "Usage: kakoi export --policy FILE [--format FORMAT] [--out FILE]"],
    [["explain", "--help"], "Usage: kakoi explain --policy FILE --syscall NAME|NUMBER [--arch ARCH] [--args A0,A1,...]"],
    [["help", "diff"], "Usage: kakoi diff A B"],
    [["lint", "--help"], "Usage: kakoi lint FILE"],
    [["learn", "--help"], "Usage: kakoi learn [--out FILE] [--errno ERRNO] [--cwd DIR] [--] CMD [ARGS...]"]
  ])("kakoi %j prints usage on stdout and exits 0", (args, usage) => {
    const result = kakoi(args)
    expect(result).toMatchObject({ status: 0, stderr: "" })
    expect(result.stdout).toContain(usage)
  })

  it("kakoi run --help lists every policy and process option", () => {
    const { stdout } = kakoi(["run", "--help"])
    for (const option of ["--policy", "--default", "--allow", "--kill", "--kill-thread", "--trap", "--log", "--notify", "--errno", "--rlimit", "--cwd"]) {
      expect(stdout).toContain(`  ${option} `)
    }
  })

  it("kakoi run --help offers the sandbox flags as working, which they are", () => {
    const { stdout } = kakoi(["run", "--help"])
    expect(stdout).toContain("Sandbox (any of these runs CMD under sandbox(), see the README's Sandbox):\n  --sandbox ")
    expect(kakoi(["run", "--hostname", "box", "--", "hostname"])).toMatchObject({ status: 0, stdout: "box\n" })
  })

  it("kakoi help rejects an unknown topic with exit 2 and points at kakoi --help", () => {
    const result = kakoi(["help", "frob"])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual(['kakoi: Unknown command "frob"', "Try 'kakoi --help' for more information"])
  })
})

describe("kakoi --version", () => {
  it("prints the version of package.json", () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }
    expect(kakoi(["--version"])).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: "" })
    expect(kakoi(["-V"]).stdout).toBe(`${version}\n`)
  })
})

describe("kakoi with an unknown subcommand", () => {
  it("exits 2 with a message and a hint", () => {
    const result = kakoi(["frob", "--", "true"])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual(['kakoi: Unknown command "frob"', "Try 'kakoi --help' for more information"])
  })
})

describe("kakoi writing to a reader that went away", () => {
  const docker = new URL("../fixtures/profiles/docker-default.json", import.meta.url).pathname
  it.each([
    [["lint", docker], "stdout"],
    [["export", "--policy", docker, "--format", "pfc"], "stdout"],
    [["run", "--errno", "EPRM:mkdir", "--", "true"], "stderr"]
  ] as const)("kakoi %j with its %s closed exits 141 without a stack trace, as under SIGPIPE", async (args, closed) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    // Closed before kakoi has started, so its first write meets no reader (`| head -0`).
    child[closed].destroy()
    let stderr = ""
    if (closed === "stdout") child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    else child.stdout.resume()
    const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)))
    expect({ status, stderr }).toEqual({ status: 141, stderr: "" })
  })
})
