/**
 * `kakoi supervise` end to end: runs the example tree, prints events and tagged
 * lines, stops on SIGINT; and refuses a tree with a mistake in it (exit 2, the
 * file and the JSON path in the message) before starting anything.
 */
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { asExecutable, kakoi, lines, startKakoi, tempDir } from "./kakoi.ts"

const tree = new URL("../../examples/worker-pool.json", import.meta.url).pathname

/** A tree file whose first worker would leave `marker` behind if it ever ran, then `worker`. */
const treeFile = (worker: Readonly<Record<string, unknown>>, extra: Readonly<Record<string, unknown>> = {}) => {
  const dir = tempDir()
  const marker = join(dir, "started")
  const file = join(dir, "tree.json")
  writeFileSync(file, JSON.stringify({
    name: "t",
    children: [
      { name: "first", argv: ["/bin/sh", "-c", `touch ${marker}; sleep 60`] },
      { name: "second", argv: ["/bin/sh", "-c", `mkdir ${join(dir, "made")} && echo MKDIR SUCCEEDED; sleep 60`], ...worker }
    ],
    ...extra
  }))
  return { dir, file, marker }
}

/** Runs the tree; its exit status, the first line on stderr, and whether anything started. */
const refused = (worker: Readonly<Record<string, unknown>>, extra: Readonly<Record<string, unknown>> = {}) => {
  const { dir, file, marker } = treeFile(worker, extra)
  const result = kakoi(["supervise", file])
  return { status: result.status, message: lines(result.stderr)[0], started: existsSync(marker) || existsSync(join(dir, "made")), stdout: result.stdout, file }
}

describe("kakoi supervise", () => {
  it("runs the example tree and stops it gracefully on SIGINT", async () => {
    const running = await startKakoi(["supervise", tree])
    process.kill(running.pid, "SIGINT")
    expect(await running.exit).toBe(0)
  })

  it("under nohup, SIGHUP does not stop the tree; SIGTERM still does", async () => {
    const dir = tempDir()
    const file = join(dir, "tree.json")
    writeFileSync(file, JSON.stringify({ name: "t", children: [{ name: "w", argv: ["/bin/sh", "-c", `sleep 1; touch ${join(dir, "slept")}; sleep 60`] }] }))
    const script = `trap '' HUP; "$0" supervise ${file} >/dev/null & sleep 0.5; kill -HUP $!; sleep 1.5; kill -TERM $!; wait $!`
    expect((await asExecutable(script)).status).toBe(0)
    expect(existsSync(join(dir, "slept"))).toBe(true)
  })

  it("names the file it cannot read", () => {
    const result = kakoi(["supervise", "/nonexistent/tree.json"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)[0]).toBe('kakoi: Cannot read the tree "/nonexistent/tree.json": ENOENT (No such file or directory)')
  })

  it('refuses "secomp" (which ran the worker unfiltered) with exit 2, the file and the path, and starts nothing', () => {
    const { status, message, started, stdout, file } = refused({ secomp: { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] } })
    expect(status).toBe(2)
    expect(message).toBe(`kakoi: Invalid supervision tree "t" in "${file}" at children[1].secomp: Unknown key "secomp": did you mean "seccomp"?`)
    expect(started).toBe(false)
    expect(stdout).toBe("")
  })

  it("refuses each misspelt key of issue 12 the same way", () => {
    const cases: ReadonlyArray<readonly [Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>, string]> = [
      [{ restrat: "temporary" }, {}, 'children[1].restrat: Unknown key "restrat": did you mean "restart"?'],
      [{ ready: { kind: "line", patern: "up" } }, {}, 'children[1].ready.patern: Unknown key "patern": did you mean "pattern"?'],
      [{ stop: { timeout: 100 } }, {}, 'children[1].stop.timeout: Unknown key "timeout": did you mean "timeoutMs"?'],
      [{}, { intensity: { maxRestart: 1 } }, 'intensity.maxRestart: Unknown key "maxRestart": did you mean "maxRestarts"?'],
      [{ backoff: { initial: 10 } }, {}, 'children[1].backoff.initial: Unknown key "initial": did you mean "initialMs"?']
    ]
    for (const [worker, extra, where] of cases) {
      const { status, message, started, file } = refused(worker, extra)
      expect({ status, message, started }).toEqual({ status: 2, message: `kakoi: Invalid supervision tree "t" in "${file}" at ${where}`, started: false })
    }
  })

  it("refuses values that crashed or silently changed meaning", () => {
    const cases: ReadonlyArray<readonly [Readonly<Record<string, unknown>>, string]> = [
      // Was `Fiber.runLoop: Not a valid effect: undefined`, exit 125.
      [{ ready: { kind: "lines", pattern: "up" } }, 'children[1].ready: Expected a readiness of kind "line" (with a pattern), "delay" (with ms) or "effect" (with a check), got {"kind":"lines","pattern":"up"}'],
      // Was `Cannot convert undefined to a BigInt`.
      [{ parentDeathSignal: "SIGFOO" }, 'children[1].parentDeathSignal: Expected a signal name such as "SIGTERM", got "SIGFOO"'],
      // Was a silent SIGKILL.
      [{ stop: { signal: "SIGFOO" } }, 'children[1].stop.signal: Expected a signal name such as "SIGTERM", got "SIGFOO"'],
      // Was a raw TypeError on Node, accepted on Deno and Bun.
      [{ stdio: "bogus" }, 'children[1].stdio: Expected "pipe" | "inherit" | "ignore", got "bogus"'],
      [{ rlimit: { nofle: 64 } }, 'children[1].rlimit.nofle: Unknown resource limit "nofle": did you mean "nofile"?'],
      [{ seccomp: { default: "allow", rules: [{ action: "kil", syscalls: ["mkdir"] }] } }, 'children[1].seccomp.rules[0].action: Unknown action "kil": did you mean "kill"?'],
      [{ seccomp: { default: "allow", rulez: [] } }, 'children[1].seccomp.rulez: Unexpected key']
    ]
    for (const [worker, where] of cases) {
      const { status, message, started, file } = refused(worker)
      expect({ status, message, started }).toEqual({ status: 2, message: `kakoi: Invalid supervision tree "t" in "${file}" at ${where}`, started: false })
    }
  })

  it("refuses an unknown syscall in the last worker's policy before the first worker starts", () => {
    const { status, message, started } = refused({ seccomp: { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdri"] }] } })
    expect({ status, message, started }).toEqual({ status: 2, message: 'kakoi: Invalid seccomp policy at rules[0].syscalls[0]: Unknown syscall "mkdri": did you mean "mkdir"?', started: false })
  })

  it("decodes a module tree the same way, and names a module it cannot load", () => {
    const dir = tempDir()
    const file = join(dir, "tree.mjs")
    writeFileSync(file, `export default { name: "m", children: [{ name: "w", argv: ["true"], restrat: "temporary" }] }\n`)
    const result = kakoi(["supervise", file])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)[0]).toBe(`kakoi: Invalid supervision tree "m" in "${file}" at children[0].restrat: Unknown key "restrat": did you mean "restart"?`)
    const missing = kakoi(["supervise", join(dir, "missing.mjs")])
    expect(missing.status).toBe(2)
    expect(lines(missing.stderr)[0]).toMatch(/^kakoi: Cannot load the tree ".*missing\.mjs": Cannot find module/)
  })

  it("names a missing policy file as the policy, not the tree", () => {
    const { status, message, started, file } = refused({ seccomp: "missing-policy.json" })
    expect({ status, started }).toEqual({ status: 2, started: false })
    expect(message).toBe(`kakoi: Invalid supervision tree "t" in "${file}" at children[1].seccomp: Cannot read the seccomp policy "missing-policy.json": ENOENT (No such file or directory)`)
  })

  it("names the policy file whose content is wrong", () => {
    const { dir, file, marker } = treeFile({ seccomp: "policy.json" })
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ default: "allow", rules: [{ action: "kill", sycalls: ["mkdir"] }] }))
    const result = kakoi(["supervise", file])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)[0]).toBe(
      `kakoi: Invalid supervision tree "t" in "${file}" at children[1].seccomp: Invalid seccomp policy in "policy.json" at rules[0].sycalls: Unexpected key`
    )
    expect(existsSync(marker)).toBe(false)
  })
})
