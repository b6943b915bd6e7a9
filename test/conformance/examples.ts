/**
 * The examples run in each runtime by the very npm scripts the README lists
 * (`example:<name>` on Node, `example:<name>:deno`, `example:<name>:bun`),
 * non-interactively, and print what they promise.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { buildC } from "../helpers/build-c.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Registers the suite for one runtime: `runtime` names it ("Node", "Deno",
 * "Bun") and its scripts; `execPath` replaces the script's first word, the
 * runtime's command name.
 */
export const examplesSuite = (runtime: string, execPath: string): void => {
  const name = runtime.toLowerCase()

  /** Runs `npm run <script> -- ...args` without npm: the script's words with `execPath` first. */
  const example = (example: string, args: ReadonlyArray<string> = []): Promise<Output> => {
    const script = `example:${example}${name === "node" ? "" : `:${name}`}`
    const [command, ...words] = (scripts[script] ?? "").split(/\s+/)
    if (command !== name) throw new Error(`package.json script "${script}" should start with "${name}": ${scripts[script]}`)
    return new Promise((resolve) => {
      execFile(execPath, [...words, ...args], { cwd: root, timeout: 20_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }))
    })
  }

  describe(`examples on ${runtime}`, () => {
    it("trap-uname: uname ends with SIGSYS and a seccomp diagnosis", async () => {
      const { code, stdout } = await example("trap-uname")
      expect(stdout).toBe(
        `uname ended with SIGSYS\nKilled by the seccomp filter (SIGSYS): "uname" is trapped by rules[0]\n`)
      expect(code).toBe(0)
    })

    it("jail: mkdir is killed, creates nothing, and the shell goes on", async () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-jail-"))
      try {
        const { code, stdout, stderr } = await example("jail", ["-c", `mkdir ${directory}/x; echo still here`])
        expect(stdout).toBe("still here\n")
        expect(stderr).toContain("Bad system call")
        expect(readdirSync(directory)).toEqual([])
        expect(code).toBe(0)
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    })

    it("run-like-execa: timeout, cancel, maxBuffer, exact bytes, interleaved lines, forced kill and messages print what the comments say", async () => {
      const { code, stdout } = await example("run-like-execa")
      const promised = readFileSync(join(root, "examples/run-like-execa.ts"), "utf8")
        .split("\n")
        .flatMap((line) => (line.startsWith("console.log(") ? [line.slice(line.indexOf(" // ") + 4)] : []))
      expect(promised).toHaveLength(7)
      expect(stdout).toBe(`${promised.join("\n")}\n`)
      expect(code).toBe(0)
    })

    it("on-trap: the supervisor's handler is told each trapped call (name, number, pid, args) and fails it with EPERM", async () => {
      const { code, stdout } = await example("on-trap")
      const args = "args (0x[0-9a-f]+, ){5}0x[0-9a-f]+"
      expect(stdout).toMatch(new RegExp(
        `^trapped uname \\(63\\) in pid \\d+, ${args}: failing it with EPERM\n` +
          `trapped mkdir \\(83\\) in pid \\d+, ${args}: failing it with EPERM\n` +
          "uname: cannot get system name: Operation not permitted\n" +
          "mkdir: cannot create directory .*/tmp/kakoi-on-trap.*: Operation not permitted\n" +
          "sh exited with code 1\n$"))
      expect(code).toBe(0)
    })

    it("deny-etc-mkdir: the supervisor resolves each path and makes allowed directories itself; under /etc, by any spelling, it denies", async () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-deny-etc-"))
      const unique = `kakoi-${process.pid}-${Date.now()}`
      symlinkSync("/etc", join(directory, "link"))
      // "/.." and a symlink only land under /etc once resolved.
      const denied = [`/etc/${unique}`, `/etc/${unique}-dotdot`, `/etc/${unique}-link`]
      const spelled = [`/etc/${unique}`, `/etc/../etc/${unique}-dotdot`, `${directory}/link/${unique}-link`]
      try {
        const { code, stdout } = await example("deny-etc-mkdir", ["mkdir", `${directory}/allowed`, ...spelled])
        expect(stdout).toMatch(new RegExp(`^mkdir(at)? "${directory}/allowed" in pid \\d+: made by the supervisor \\(created\\)\n`))
        for (const path of denied) expect(stdout).toMatch(new RegExp(`\nmkdir(at)? "${path}" in pid \\d+: denied with EACCES\n`))
        expect(stdout).toMatch(new RegExp(`mkdir: cannot create directory .*/etc/${unique}.*: Permission denied\n`))
        expect(stdout).toMatch(/\nmkdir exited with code 1\n$/)
        expect(readdirSync(directory).sort()).toEqual(["allowed", "link"])
        // As root these would be created without the handler: their absence is the handler's doing.
        for (const path of denied) expect(existsSync(path)).toBe(false)
        expect(code).toBe(0)
      } finally {
        rmSync(directory, { recursive: true, force: true })
        for (const path of denied) rmSync(path, { recursive: true, force: true })
      }
    })

    it("deny-etc-mkdir holds against the TOCTOU attack: a thread flipping the path between a harmless one and /etc/... never gets it created", async () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-deny-etc-"))
      const forbidden = `/etc/kakoi-toctou-${process.pid}-${Date.now()}`
      try {
        const attack = buildC(fileURLToPath(new URL("../fixtures/toctou-mkdir.c", import.meta.url)), ["-pthread"])
        const { code, stdout } = await example("deny-etc-mkdir", [attack, `${directory}/harmless`, forbidden, "3000"])
        expect(stdout).toMatch(/\nheld after 3000 tries, [1-9]\d* harmless created\n/)
        expect(stdout).toMatch(new RegExp(`\nmkdir "${forbidden}" in pid \\d+: denied with EACCES\n`))
        expect(existsSync(forbidden)).toBe(false)
        expect(code).toBe(0)
      } finally {
        rmSync(directory, { recursive: true, force: true })
        rmSync(forbidden, { recursive: true, force: true })
      }
    })

    it("worker-pool: the sandbox denies mkdir, a crashed worker restarts, the crash loop makes the supervisor give up", async () => {
      const { code, stdout } = await example("worker-pool")
      expect(stdout).toContain("pool/worker-1 | mkdir: cannot create directory '/tmp/kakoi-denied': Operation not permitted")
      expect(stdout).toContain("pool/worker-2 | crashing once")
      expect(stdout).toContain("pool/worker-2: starting (attempt 2)")
      expect(stdout).toContain('\nSupervisor "pool" gave up on "pool/crash-loop" (more than 3 restarts within 5000 ms)')
      expect(stdout).toMatch(/pool\/worker-1: stopped .*\n\nSupervisor "pool" gave up/)
      expect(code).toBe(0)
    })
  })
}
