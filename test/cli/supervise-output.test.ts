/**
 * `kakoi supervise` as a service manager sees it: output printed while the
 * tree is still starting, a graceful stop on SIGHUP, and a readiness timeout
 * reported with its reason.
 */
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { waitUntil } from "../helpers/processes.ts"
import { bin, kakoi, tempDir } from "./kakoi.ts"

const sh = (script: string): Array<string> => ["/bin/sh", "-c", script]

const treeFile = (tree: unknown): string => {
  const file = join(tempDir(), "tree.json")
  writeFileSync(file, JSON.stringify(tree))
  return file
}

/** `kakoi supervise FILE` in the background, with everything it prints so far. */
const startSupervise = (file: string) => {
  const child = spawn(process.execPath, [bin, "supervise", file], { stdio: ["ignore", "pipe", "pipe"] })
  const printed = { out: "", err: "" }
  child.stdout.on("data", (chunk: Buffer) => (printed.out += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (printed.err += chunk.toString()))
  const exit = new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)))
  return { pid: child.pid ?? -1, printed, exit }
}

describe("kakoi supervise: output and signals", () => {
  it("prints a child's output while a later-ready child still holds up the tree", async () => {
    const file = treeFile({
      name: "t",
      children: [
        { name: "slow", argv: sh("echo early-out; echo early-err >&2; sleep 60"), ready: { kind: "delay", ms: 20_000 }, stop: { timeoutMs: 500 } },
        { name: "next", argv: sh("sleep 60") }
      ]
    })
    const running = startSupervise(file)
    expect(await waitUntil(() => running.printed.out.includes("t/slow | early-out\n") && running.printed.err.includes("t/slow | early-err\n"), 10_000)).toBe(true)
    expect(running.printed.out).not.toContain("t/slow: ready")
    expect(running.printed.out).toMatch(/^t\/slow: starting\nt\/slow: started with pid \d+\n/)
    // A stop while the tree starts does not wait for the 20 s readiness.
    const stoppedAt = Date.now()
    process.kill(running.pid, "SIGTERM")
    expect(await running.exit).toBe(0)
    expect(Date.now() - stoppedAt).toBeLessThan(5000)
    expect(running.printed.out).toMatch(/t\/slow: stopped \(signal SIGTERM \(Termination\)\)\n$/)
  })

  // The printer subscribes before the first child starts: a child that prints more than the 1024 lines replayed
  // to a late subscriber, before the printer's fiber first ran, must lose none of them.
  it("prints every line of a child that prints many at once", () => {
    const result = kakoi(["supervise", treeFile({ name: "t", children: [{ name: "big", argv: ["seq", "1", "20000"], restart: "temporary" }] })])
    expect(result.status).toBe(0)
    const printed = result.stdout.split("\n").filter((line) => line.startsWith("t/big | "))
    expect([printed.length, printed[0], printed.at(-1)]).toEqual([20000, "t/big | 1", "t/big | 20000"])
  })

  it("stops the tree gracefully on SIGHUP, last started first, and exits 0", async () => {
    const file = treeFile({ name: "t", children: [{ name: "a", argv: sh("echo up-a; sleep 60") }, { name: "b", argv: sh("echo up-b; sleep 60") }] })
    const running = startSupervise(file)
    expect(await waitUntil(() => running.printed.out.includes("t/a | up-a") && running.printed.out.includes("t/b | up-b"), 10_000)).toBe(true)
    process.kill(running.pid, "SIGHUP")
    expect(await running.exit).toBe(0)
    const stops = running.printed.out.split("\n").filter((line) => line.includes(": stopped"))
    expect(stops).toEqual(["t/b: stopped (signal SIGTERM (Termination))", "t/a: stopped (signal SIGTERM (Termination))"])
  })

  it("reports a readiness timeout as an event with its reason, then stops the child", () => {
    const file = treeFile({
      name: "t",
      children: [{ name: "web", argv: sh("echo booting; sleep 60"), restart: "temporary", ready: { kind: "line", pattern: "listening", timeoutMs: 300 }, stop: { timeoutMs: 500 } }]
    })
    const result = kakoi(["supervise", file])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('t/web: not ready: no line matching "listening" on stdout within 300 ms; stopping it\n')
    expect(result.stdout).toMatch(/t\/web: exited with signal SIGTERM \(Termination\) after \d+ ms, not restarting\n/)
  })
})
