/**
 * Input that fails closed, the same in every runtime (test/node, test/deno,
 * test/bun): a misspelt key or a bad value in run/spawn options or in a
 * supervision tree is a typed error naming its path, and nothing starts. Each
 * case once ran a child without its fence, crashed, or differed per runtime.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { Services } from "../../adapters/portable.ts"
import type { RunOptions, RunResult } from "../../core/api.ts"
import type { SupervisorHandle } from "../../core/supervisor/api.ts"
import type { SupervisorSpec } from "../../core/supervisor/spec.ts"
import { policy, seccomp } from "../../plugins/seccomp/mod.ts"
import { waitUntil } from "../helpers/processes.ts"

/** One adapter's entry points. */
export interface StrictInputUnderTest {
  readonly runtime: string
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<RunResult>
  readonly spawn: (argv: ReadonlyArray<string>, options?: RunOptions<unknown, Services>) => Promise<{ readonly pid: number }>
  readonly supervise: (spec: SupervisorSpec<unknown, Services>) => Promise<SupervisorHandle>
}

const env = { PATH: "/usr/bin:/bin" }
const noMkdir = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))

/** Options as untyped data (what JavaScript or JSON can pass). */
const untyped = (options: Readonly<Record<string, unknown>>): RunOptions<unknown, Services> => ({ env, ...options }) as RunOptions<unknown, Services>

const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error)

/** Registers the suite for one adapter. */
export const strictInputSuite = (adapter: StrictInputUnderTest): void => {
  describe(`strict input on ${adapter.runtime}`, () => {
    it('run rejects stdio "bogus" with a SpawnError naming the option', async () => {
      const error = await rejection(adapter.run(["true"], untyped({ stdio: "bogus" })))
      expect(error).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec", path: "stdio" })
      expect((error as Error).message).toBe('Invalid child spec at stdio: Expected "pipe" | "inherit" | "ignore", got "bogus"')
    })

    it('spawn rejects parentDeathSignal "SIGFOO" instead of crashing on its number', async () => {
      const error = await rejection(adapter.spawn(["true"], untyped({ parentDeathSignal: "SIGFOO" })))
      expect((error as Error).message).toBe('Invalid child spec at parentDeathSignal: Expected a signal name such as "SIGTERM", got "SIGFOO"')
    })

    it("run and spawn reject options that are not an object, and an argv that is not a list of strings", async () => {
      expect(await rejection(adapter.run(["true"], null as never))).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec", detail: "Expected object, got null" })
      expect(await rejection(adapter.spawn(["true"], "inherit" as never))).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
      expect(await rejection(adapter.run("ls" as never))).toMatchObject({ _tag: "SpawnError", path: "argv" })
      expect(await rejection(adapter.run(["echo", 1] as never))).toMatchObject({ _tag: "SpawnError", path: "argv[1]" })
    })

    it("a misspelt plugins key starts nothing, so the unfenced mkdir never happens", async () => {
      const target = join(mkdtempSync(join(tmpdir(), "kakoi-strict-")), "made")
      const error = await rejection(adapter.run(["mkdir", target], untyped({ plugin: [noMkdir] })))
      expect((error as Error).message).toBe('Invalid child spec at plugin: Unknown key "plugin": did you mean "plugins"?')
      expect(existsSync(target)).toBe(false)
    })

    it("options are read once: a getter, a Proxy or a class that answers without the plugins the second time still gets the fence", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-strict-"))
      /** Plugins the first time they are read, none after: what was checked must be what the child gets. */
      const fickle = (): (() => ReadonlyArray<unknown>) => {
        let reads = 0
        return () => (++reads === 1 ? [noMkdir] : [])
      }
      const getter = fickle()
      const withGetter = Object.defineProperty({ env }, "plugins", { enumerable: true, get: getter })
      const proxied = fickle()
      const proxy = new Proxy({ env, plugins: [] }, { get: (target, key) => (key === "plugins" ? proxied() : Reflect.get(target, key)) })
      const onPrototype = fickle()
      class Options {
        readonly env = env
        get plugins(): ReadonlyArray<unknown> {
          return onPrototype()
        }
      }
      const plugins = fickle()
      const list = new Proxy([noMkdir], { get: (target, key) => (key === "0" ? plugins()[0] : Reflect.get(target, key)) })
      const cases: ReadonlyArray<readonly [string, unknown]> = [["getter", withGetter], ["proxy", proxy], ["class", new Options()], ["list", { env, plugins: list }]]
      for (const [name, options] of cases) {
        const result = await adapter.run(["mkdir", join(dir, name)], options as RunOptions<unknown, Services>).then((ran) => ran.exitCode, (error: unknown) => error)
        expect([name, existsSync(join(dir, name))]).toEqual([name, false])
        expect(result === 1 || (result as { readonly _tag?: unknown })._tag === "SpawnError").toBe(true)
      }
      // argv read once too: the command checked is the command run.
      let reads = 0
      const argv = new Proxy(["true"], { get: (target, key) => (key === "0" && ++reads > 1 ? "/bin/false" : Reflect.get(target, key)) })
      expect((await adapter.run(argv)).exitCode).toBe(0)
    })

    it('an own "__proto__" key (as JSON.parse makes) is an unknown key, never the prototype of the options as read', async () => {
      const options = JSON.parse('{"env": {"PATH": "/usr/bin:/bin"}, "__proto__": {"cwd": "/"}}') as RunOptions<unknown, Services>
      expect(await rejection(adapter.run(["true"], options))).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec", path: "__proto__" })
      expect(await rejection(adapter.run(["true"], untyped({ toString: 1 })))).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec", path: "toString" })
    })

    it("a tree is read once: a worker whose plugins getter answers none after the check still starts (and restarts) fenced", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-strict-"))
      let reads = 0
      const worker = Object.defineProperty(
        { name: "w", argv: ["/bin/sh", "-c", `mkdir ${join(dir, "made")} || echo refused >> ${join(dir, "refused")}`], env, restart: "permanent", backoff: { initialMs: 1 } },
        "plugins",
        { enumerable: true, get: () => (++reads === 1 ? [noMkdir] : []) }
      )
      const tree = await adapter.supervise({ name: "t", intensity: { maxRestarts: 100 }, children: [worker] } as unknown as SupervisorSpec<unknown, Services>)
      try {
        // Each start appends a line: three starts, the first and two restarts, each refused its mkdir.
        expect(await waitUntil(() => existsSync(join(dir, "refused")) && readFileSync(join(dir, "refused"), "utf8").split("\n").length > 3, 10_000)).toBe(true)
      } finally {
        await tree.stop()
      }
      expect(existsSync(join(dir, "made"))).toBe(false)
      expect(reads).toBe(1)
    })

    it("supervise rejects a tree with a typo before starting any child", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-strict-"))
      const tree = {
        name: "t",
        children: [
          { name: "first", argv: ["/bin/sh", "-c", `touch ${join(dir, "started")}; sleep 60`], env },
          { name: "second", argv: ["mkdir", join(dir, "made")], env, secomp: {} }
        ]
      } as unknown as SupervisorSpec<unknown, Services>
      const error = await rejection(adapter.supervise(tree))
      expect(error).toMatchObject({ _tag: "SupervisorError", reason: "InvalidSpec", path: "children[1].secomp" })
      expect(existsSync(join(dir, "started")) || existsSync(join(dir, "made"))).toBe(false)
    })

    it("supervise compiles every worker's policy before the first worker starts", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kakoi-strict-"))
      const typo = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdri"] }] }))
      const error = await rejection(adapter.supervise({
        name: "t",
        children: [
          { name: "first", argv: ["/bin/sh", "-c", `touch ${join(dir, "started")}; sleep 60`], env },
          { name: "second", argv: ["true"], env, plugins: [typo] }
        ]
      }))
      expect(error).toMatchObject({ _tag: "PolicyError", reason: "UnknownSyscall", value: "mkdri" })
      expect(existsSync(join(dir, "started"))).toBe(false)
    })

    it('supervise rejects ready.kind "lines" and stop.signal "SIGFOO" with their paths', async () => {
      const tree = (worker: Readonly<Record<string, unknown>>) => ({ name: "t", children: [{ name: "w", argv: ["true"], env, ...worker }] }) as unknown as SupervisorSpec<unknown, Services>
      expect(await rejection(adapter.supervise(tree({ ready: { kind: "lines", pattern: "x" } })))).toMatchObject({ path: "children[0].ready" })
      expect(await rejection(adapter.supervise(tree({ stop: { signal: "SIGFOO" } })))).toMatchObject({ path: "children[0].stop.signal" })
    })
  })
}
