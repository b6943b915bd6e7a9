/**
 * run() and spawn() like execa, as one suite every adapter runs (test/node,
 * test/deno, test/bun): timeouts, cancel signals, kill signals and the
 * SIGKILL that follows them, stops that reach the child's whole tree,
 * maxBuffer, exact bytes, interleaved output, lines, execa-style messages,
 * and what happens to a child whose output nobody reads.
 */
import { describe, expect, it } from "vitest"
import type { Services } from "../../adapters/portable.ts"
import type { Encoding, RunOptions, RunResult, SpawnOptions, SpawnResult } from "../../core/api.ts"
import type { SignalName } from "../../core/signals.ts"
import { alive, inBackground, noneLeft, tagged } from "../helpers/processes.ts"

/** A spawned child as this suite uses it: its stdout as bytes, whichever stream type the runtime has. */
export interface OutputChild {
  readonly pid: number
  readonly stdout: AsyncIterable<Uint8Array> | undefined
  readonly kill: (signal?: SignalName) => boolean
  readonly result: Promise<SpawnResult>
}

/** One adapter under test. */
export interface RunOptionsUnderTest {
  readonly runtime: string
  readonly run: <Enc extends Encoding = "utf8", Lines extends boolean = false, All extends boolean = false>(
    argv: ReadonlyArray<string>,
    options?: RunOptions<unknown, Services, Enc, Lines, All>
  ) => Promise<RunResult<Enc, Lines, All>>
  readonly spawn: (argv: ReadonlyArray<string>, options?: SpawnOptions<unknown, Services>) => Promise<OutputChild>
}

const sh = (script: string): Array<string> => ["/bin/sh", "-c", script]
const env = { PATH: "/usr/bin:/bin" }

/** Reads a spawned child's stdout until its first line (`inBackground`'s "running"). */
const firstLine = async (child: OutputChild): Promise<string> => {
  let text = ""
  for await (const chunk of child.stdout ?? []) {
    text += new TextDecoder().decode(chunk)
    if (text.includes("\n")) break
  }
  return text.split("\n")[0] ?? ""
}

/** Registers the suite for one adapter. */
export const runOptionsSuite = (adapter: RunOptionsUnderTest): void => {
  const { run, spawn } = adapter

  describe(`run and spawn options on ${adapter.runtime}`, () => {
    it("timeout stops the child with SIGTERM and says so like execa", async () => {
      const result = await run(["sleep", "5"], { env, timeout: 300 })
      expect(result).toMatchObject({
        exitCode: undefined,
        signal: "SIGTERM",
        timedOut: true,
        isCanceled: false,
        isForcefullyTerminated: false,
        failed: true,
        shortMessage: "Command timed out after 300 milliseconds: sleep 5",
        message: "Command timed out after 300 milliseconds: sleep 5"
      })
      expect(result.durationMs).toBeGreaterThanOrEqual(250)
      expect(result.durationMs).toBeLessThan(3000)
    })

    it("a child that ends in time is not timed out", async () => {
      const result = await run(["true"], { env, timeout: 5000 })
      expect(result).toMatchObject({ exitCode: 0, timedOut: false, failed: false, shortMessage: undefined, message: undefined })
    })

    it("a timeout reaches the child's whole process group, grandchildren included", async () => {
      const sleeper = inBackground("sleep 30")
      const result = await run(sh(`${sleeper.script} wait`), { env, timeout: 300 })
      expect(result).toMatchObject({ timedOut: true, stdout: "running\n" })
      expect(await noneLeft(sleeper.marker)).toBe(true)
    })

    it("what the child left behind ends with it: the run ends at the child's exit, though a grandchild held stdout", async () => {
      const sleeper = inBackground("sleep 30")
      const result = await run(sh(`${sleeper.script} sleep 0.3`), { env, timeout: 5000 })
      expect(result).toMatchObject({ exitCode: 0, timedOut: false, stdout: "running\n" })
      expect(result.durationMs).toBeLessThan(3000)
      expect(tagged(sleeper.marker)).toEqual([])
    })

    it("at containment process-group, a timeout reaches what the child left in its group after the child itself exited and was reaped", async () => {
      // sh exits at once; the sleep stays in its group holding stdout, so the run goes on until the timeout stops it.
      const sleeper = inBackground("sleep 30")
      const result = await run(sh(sleeper.script), { env, timeout: 300, containment: "process-group" })
      expect(result).toMatchObject({ exitCode: 0, timedOut: true, stdout: "running\n" })
      expect(await noneLeft(sleeper.marker)).toBe(true)
    })

    it("killSignal chooses the signal a timeout sends", async () => {
      const result = await run(["sleep", "5"], { env, timeout: 200, killSignal: "SIGINT" })
      expect(result).toMatchObject({ signal: "SIGINT", timedOut: true })
    })

    it("SIGKILL follows after forceKillAfterDelay when the child ignores the kill signal", async () => {
      const result = await run(sh(`trap "" TERM; echo armed; sleep 30`), { env, timeout: 200, forceKillAfterDelay: 300 })
      expect(result).toMatchObject({
        signal: "SIGKILL",
        timedOut: true,
        isForcefullyTerminated: true,
        shortMessage: `Command timed out after 200 milliseconds and was forcefully terminated with SIGKILL after 300 milliseconds: /bin/sh -c "trap \\"\\" TERM; echo armed; sleep 30"`
      })
      expect(result.message).toBe(`${result.shortMessage}\n\narmed`)
    })

    it("at containment process-group, a timeout bounds the run even when a process that left the group holds the output open", async () => {
      // `setsid` leads a session of its own: no signal to the child's group reaches it, and it keeps stdout.
      const escaper = inBackground("sleep 30", "setsid")
      const startedAt = Date.now()
      const result = await run(sh(`${escaper.script} sleep 30`), { env, timeout: 200, forceKillAfterDelay: 300, containment: "process-group" })
      const took = Date.now() - startedAt
      try {
        expect(result).toMatchObject({ timedOut: true, signal: "SIGTERM", isForcefullyTerminated: false, stdout: "running\n" })
        // 200 ms, then 300 ms to SIGKILL, then a second to drain: not the 30 s the escaped process holds the pipe.
        expect(took).toBeLessThan(5000)
        expect(tagged(escaper.marker, true)).toHaveLength(1)
      } finally {
        await noneLeft(escaper.marker, 0)
      }
    })

    it("under the default containment, a process that left the group ends with the child at its timeout", async () => {
      const escaper = inBackground("sleep 30", "setsid")
      const result = await run(sh(`${escaper.script} sleep 30`), { env, timeout: 200 })
      expect(result).toMatchObject({ timedOut: true, signal: "SIGTERM", isForcefullyTerminated: false, stdout: "running\n" })
      expect(result.durationMs).toBeLessThan(3000)
      expect(await noneLeft(escaper.marker)).toBe(true)
    })

    it("forceKillAfterDelay: false never sends SIGKILL: the child ends when it wants", async () => {
      const result = await run(sh(`trap "" TERM; sleep 1; exit 3`), { env, timeout: 100, forceKillAfterDelay: false })
      expect(result).toMatchObject({ exitCode: 3, signal: undefined, timedOut: true, isForcefullyTerminated: false })
      expect(result.durationMs).toBeGreaterThanOrEqual(900)
    })

    it("cancelSignal stops the child when it aborts", async () => {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 150)
      const result = await run(["sleep", "5"], { env, cancelSignal: controller.signal })
      expect(result).toMatchObject({ signal: "SIGTERM", isCanceled: true, timedOut: false, shortMessage: "Command was canceled: sleep 5" })
    })

    it("an already aborted cancelSignal stops the child at once", async () => {
      const result = await run(["sleep", "5"], { env, cancelSignal: AbortSignal.abort() })
      expect(result).toMatchObject({ isCanceled: true, signal: "SIGTERM" })
      expect(result.durationMs).toBeLessThan(2000)
    })

    it("messages say how a failed child ended, then the command, then what it wrote", async () => {
      const failed = await run(sh("echo partial; echo broken >&2; exit 2"), { env })
      expect(failed.shortMessage).toBe(`Command failed with exit code 2: /bin/sh -c "echo partial; echo broken >&2; exit 2"`)
      expect(failed.message).toBe(`${failed.shortMessage}\n\nbroken\npartial`)
      const killed = await run(sh("kill -TERM $$"), { env })
      expect(killed.shortMessage).toBe(`Command was killed with SIGTERM (Termination): /bin/sh -c "kill -TERM $$"`)
    })

    it("maxBuffer stops a child whose output grows past it and keeps exactly maxBuffer bytes", async () => {
      const result = await run(["yes"], { env, maxBuffer: 1000 })
      expect(result).toMatchObject({ isMaxBuffer: true, signal: "SIGTERM", failed: true, shortMessage: "Command's stdout was larger than 1000 bytes: yes" })
      expect(result.stdout).toBe("y\n".repeat(500))
    })

    it("maxBuffer defaults to 100 MB: a child printing more is stopped, not buffered without bound", async () => {
      const result = await run(["head", "-c", "150000000", "/dev/zero"], { env, encoding: "buffer" })
      expect(result).toMatchObject({ isMaxBuffer: true, shortMessage: "Command's stdout was larger than 100000000 bytes: head -c 150000000 /dev/zero" })
      expect(result.stdout.byteLength).toBe(100_000_000)
    })

    it("maxBuffer counts each stream on its own and names the one that overflowed", async () => {
      const result = await run(sh("echo small; head -c 5000 /dev/zero >&2; sleep 5"), { env, maxBuffer: 100 })
      expect(result).toMatchObject({ isMaxBuffer: true, stdout: "small\n", shortMessage: expect.stringMatching(/^Command's stderr was larger than 100 bytes: /) })
      expect(result.stderr).toHaveLength(100)
    })

    it("encoding buffer hands back the exact bytes, invalid UTF-8 included", async () => {
      const result = await run(sh(String.raw`printf '\377\376'; printf '\200' >&2`), { env, encoding: "buffer" })
      expect(result.stdout).toBeInstanceOf(Uint8Array)
      expect([...result.stdout]).toEqual([0xff, 0xfe])
      expect([...result.stderr]).toEqual([0x80])
    })

    it("all interleaves stdout and stderr in the order they arrived", async () => {
      const result = await run(sh("echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2"), { env, all: true })
      expect(result).toMatchObject({ stdout: "out1\nout2\n", stderr: "err1\n", all: "out1\nerr1\nout2\n" })
    })

    it("lines splits each stream into lines without their endings; with all, lines interleave", async () => {
      const result = await run(sh(String.raw`printf 'a\nb\r\n'; sleep 0.1; printf 'e\n' >&2; sleep 0.1; printf 'c'`), { env, lines: true, all: true })
      expect(result).toMatchObject({ stdout: ["a", "b", "c"], stderr: ["e"], all: ["a", "b", "e", "c"] })
    })

    it("all with encoding buffer interleaves bytes", async () => {
      const result = await run(sh(String.raw`printf '\377'; sleep 0.1; printf '\376' >&2`), { env, all: true, encoding: "buffer" })
      expect([...(result.all ?? [])]).toEqual([0xff, 0xfe])
    })

    it("rejects contradictory or malformed options before anything starts", async () => {
      await expect(run(["true"], { env, lines: true, encoding: "buffer" })).rejects.toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
      await expect(run(["true"], { env, timeout: -1 })).rejects.toMatchObject({
        reason: "InvalidSpec",
        message: 'Invalid child spec: "timeout" must be a number of milliseconds >= 0, got -1'
      })
      await expect(run(["true"], { env, killSignal: "SIGFOO" as SignalName })).rejects.toMatchObject({ reason: "InvalidSpec", message: expect.stringContaining('"killSignal"') })
      await expect(run(["true"], { env, maxBuffer: Number.NaN })).rejects.toMatchObject({ reason: "InvalidSpec" })
    })

    it("a stdin pipe given no input ends at once: run() hands out no stdin that could ever be written or closed", async () => {
      for (const stdio of ["pipe", ["pipe", "pipe", "pipe"]] as const) {
        expect(await run(sh("cat; echo done"), { env, stdio, timeout: 5000 })).toMatchObject({ exitCode: 0, stdout: "done\n", timedOut: false })
      }
    })

    it("refuses input that would be dropped unread: a stdin that is no pipe, a value that is no text or bytes", async () => {
      // cat would print the input: nothing may start.
      await expect(run(["cat"], { env, input: "x", stdio: "ignore" })).rejects.toMatchObject({
        reason: "InvalidSpec",
        message: 'Invalid child spec: "input" is written to stdin, which stdio makes "ignore": leave stdin a pipe'
      })
      await expect(run(["cat"], { env, input: "x", stdio: ["inherit", "pipe", "pipe"] })).rejects.toMatchObject({ message: expect.stringContaining('stdio makes "inherit"') })
      await expect(run(["cat"], { env, input: 5 as unknown as string })).rejects.toMatchObject({
        reason: "InvalidSpec",
        message: 'Invalid child spec: "input" must be a string or a Uint8Array, got number'
      })
      expect(await run(["cat"], { env, input: "x", stdio: ["pipe", "pipe", "inherit"] })).toMatchObject({ stdout: "x" })
    })

    it("input the child never reads breaks the pipe harmlessly: no unhandled EPIPE in the supervisor", async () => {
      const input = "x".repeat(10_000_000)
      expect(await run(["true"], { env, input })).toMatchObject({ exitCode: 0, failed: false })
      expect(await run(["sleep", "5"], { env, input, timeout: 200 })).toMatchObject({ timedOut: true, signal: "SIGTERM" })
    })

    it("spawn() honours timeout, and its result says so", async () => {
      const child = await spawn(["sleep", "5"], { env, timeout: 200 })
      await expect(child.result).resolves.toMatchObject({ signal: "SIGTERM", timedOut: true, shortMessage: "Command timed out after 200 milliseconds: sleep 5" })
    })

    it("spawn() kill() reaches the child's whole process group", async () => {
      const sleeper = inBackground("sleep 30")
      const child = await spawn(sh(`${sleeper.script} wait`), { env })
      expect(await firstLine(child)).toBe("running")
      expect(tagged(sleeper.marker, true)).toHaveLength(1)
      expect(child.kill()).toBe(true)
      await expect(child.result).resolves.toMatchObject({ signal: "SIGTERM", isForcefullyTerminated: false })
      expect(await noneLeft(sleeper.marker)).toBe(true)
    })

    it("spawn() kill() with no signal name throws a TypeError naming it, and the child runs on", async () => {
      const child = await spawn(["sleep", "30"], { env })
      expect(() => child.kill("SIGFOO" as SignalName)).toThrow(new TypeError('Unknown signal "SIGFOO": kill() takes a signal name such as "SIGTERM"'))
      expect(() => child.kill(9 as unknown as SignalName)).toThrow(new TypeError('Unknown signal 9: kill() takes a signal name such as "SIGTERM"'))
      expect(alive(child.pid)).toBe(true)
      expect(child.kill("SIGKILL")).toBe(true)
      await expect(child.result).resolves.toMatchObject({ signal: "SIGKILL" })
    })

    it("spawn() kill() is followed by SIGKILL after forceKillAfterDelay when the child ignores it", async () => {
      const child = await spawn(sh(`trap "" TERM; echo armed; sleep 30`), { env, forceKillAfterDelay: 200 })
      for await (const _ of child.stdout ?? []) break
      child.kill()
      await expect(child.result).resolves.toMatchObject({ signal: "SIGKILL", isForcefullyTerminated: true, timedOut: false })
    })

    it("spawn() kill() after the result reaches no group: once released, the group's number may belong to anyone", async () => {
      // At the process-group level: under the default containment the grandchild ends with the child.
      const sleeper = inBackground("sleep 30")
      const child = await spawn(sh(sleeper.script), { env, containment: "process-group" })
      expect(await firstLine(child)).toBe("running")
      await expect(child.result).resolves.toMatchObject({ exitCode: 0 })
      try {
        expect(child.kill("SIGKILL")).toBe(false)
        expect(tagged(sleeper.marker, true)).toHaveLength(1)
      } finally {
        await noneLeft(sleeper.marker, 0)
      }
    })

    it("spawn() with processGroup false at containment process-group leaves a grandchild alone", async () => {
      const sleeper = inBackground("sleep 30")
      const child = await spawn(sh(`${sleeper.script} wait`), { env, processGroup: false, containment: "process-group" })
      expect(await firstLine(child)).toBe("running")
      child.kill()
      await child.result
      expect(tagged(sleeper.marker, true)).toHaveLength(1)
      await noneLeft(sleeper.marker, 0)
    })

    it("a child whose stdout nobody reads blocks on the full pipe; reading it later gets every byte", async () => {
      const size = 10_000_000
      const child = await spawn(["head", "-c", String(size), "/dev/zero"], { env })
      const early = await Promise.race([child.result.then(() => "exited"), new Promise((resolve) => setTimeout(() => resolve("blocked"), 1000))])
      expect(early).toBe("blocked")
      expect(alive(child.pid)).toBe(true)
      let total = 0
      for await (const chunk of child.stdout ?? []) total += chunk.byteLength
      expect(total).toBe(size)
      await expect(child.result).resolves.toMatchObject({ exitCode: 0 })
    })
  })
}
