/**
 * Runs the real `kakoi` executable, the shipped bundle (dist/cli/bin.js as
 * `npm run build` makes it, built from these sources by test/cli/setup.ts), as
 * a subprocess under this Node, so the CLI tests see exactly what a person at a
 * shell sees: stdout, stderr and the exit status.
 */
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, realpathSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { inject } from "vitest"

/** The `kakoi` command the tests run. */
export const bin: string = join(inject("kakoiBuild"), "cli/bin.js")

/** A command that runs longer than this is treated as hung (there is a known rare hang in run()). */
const timeoutMs = 20_000

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  /** Standard output as bytes, for binary formats. */
  readonly bytes: Buffer
}

export interface CliOptions {
  /** Written to kakoi's standard input, which is then closed (empty by default). */
  readonly input?: string
  readonly cwd?: string
}

/** Run `kakoi ...args` to completion. */
export const kakoi = (args: ReadonlyArray<string>, options: CliOptions = {}): CliResult => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    input: options.input ?? "",
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    timeout: timeoutMs,
    killSignal: "SIGKILL"
  })
  if (result.error !== undefined) {
    const timedOut = (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT"
    throw new Error(
      timedOut
        ? `kakoi ${args.join(" ")} did not exit within ${timeoutMs} ms (the known rare run() hang?); stderr: ${String(result.stderr)}`
        : `Cannot start kakoi ${args.join(" ")}: ${result.error.message}`
    )
  }
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString(), bytes: result.stdout }
}

/**
 * Start `kakoi ...args` and wait until the line `ready` appears on its stdout,
 * for tests that signal a running kakoi. Resolves with the running process
 * and a promise of its exit status.
 */
export const startKakoi = (args: ReadonlyArray<string>): Promise<{ readonly pid: number; readonly exit: Promise<number | null> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "inherit"] })
    const exit = new Promise<number | null>((done) => child.on("close", (status) => done(status)))
    let seen = ""
    child.on("error", reject)
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes("ready\n") && child.pid !== undefined) resolve({ pid: child.pid, exit })
    })
    void exit.then((status) => reject(new Error(`kakoi ${args.join(" ")} exited (${status}) before it was ready: ${seen}`)))
  })

/** A fresh temp dir with its real path (so it compares equal to what `pwd` prints). */
export const tempDir = (): string => realpathSync(mkdtempSync(join(tmpdir(), "kakoi-cli-")))

/** The lines of `text` without the final newline. */
export const lines = (text: string): Array<string> => text.replace(/\n$/, "").split("\n")

/**
 * Run `script` with /bin/sh, `$0` being the `kakoi` executable, which the
 * script runs as the installed command runs: started by the kernel through
 * its shell lines (cli/bin.ts), which exec this Node (first on PATH).
 * Resolves with its exit status and stdout.
 */
export const asExecutable = (script: string): Promise<{ readonly status: number | null; readonly stdout: string }> =>
  new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", script, bin], {
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}` },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let stdout = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.on("close", (status) => resolve({ status, stdout }))
  })
