/**
 * The lifecycle's promise that a spec or policy failing in the spawn or
 * preExec phase starts no process: the runtime's launch is never called.
 * The runtime here is the real Node port behind a counter.
 */
import { readdirSync } from "node:fs"
import { Cause, Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { layer, type NodeServices } from "../../adapters/node/mod.ts"
import { nodeBinding, type NodeIo } from "../../adapters/node/runtime.ts"
import { makeAdapter } from "../../adapters/shared/make-adapter.ts"
import { SpawnError } from "../../core/errors.ts"
import type { ExitResult } from "../../core/exit.ts"
import { start } from "../../core/lifecycle.ts"
import type { Plugin } from "../../core/plugin.ts"
import type { RuntimePort } from "../../core/runtime.ts"
import { makeSpec } from "../../core/spec.ts"
import { processGroup } from "../../core/supervisor/process-group.ts"
import { rlimit } from "../../plugins/rlimit/mod.ts"
import { seccomp, type PolicyJson } from "../../plugins/seccomp/mod.ts"

const nodeRuntime = makeAdapter(nodeBinding).host.runtime

const counted = (): { readonly runtime: RuntimePort<NodeIo>; readonly launches: () => number } => {
  let launches = 0
  return {
    runtime: { ...nodeRuntime, launch: (request, command) => Effect.suspend(() => (launches++, nodeRuntime.launch(request, command))) },
    launches: () => launches
  }
}

/** A spec with `plugins`, all stdio ignored and an empty environment. */
const specOf = <E, R>(argv: ReadonlyArray<string>, plugins: ReadonlyArray<Plugin<E, R>>) =>
  makeSpec(argv, { plugins, stdio: "ignore" }, { env: () => ({}), stdio: ["ignore", "ignore", "ignore"] })

const startWith = async (argv: ReadonlyArray<string>, plugins: ReadonlyArray<Plugin<unknown, NodeServices>>) => {
  const { runtime, launches } = counted()
  const spec = specOf(argv, plugins)
  const exit = await Effect.runPromiseExit(start(runtime, spec).pipe(Effect.flatMap((child) => child.exit), Effect.provide(layer)))
  return { exit, launches: launches() }
}

const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown => (Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined)

describe("start()", () => {
  it("launches exactly one process for a good spec", async () => {
    const { exit, launches } = await startWith(["true"], [seccomp({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })])
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(launches).toBe(1)
  })

  it.each<readonly [string, PolicyJson]>([
    ["an unknown syscall", { default: "allow", rules: [{ action: "kill", syscalls: ["mkdri"] }] }],
    ["a policy that blocks execve", { default: "kill", rules: [{ action: "allow", syscalls: ["read"] }] }],
    ["a bad argument index", { default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [{ index: 9, op: "==", value: 1 }] }] }]
  ])("launches nothing for %s", async (_name, json) => {
    const { exit, launches } = await startWith(["true"], [seccomp(json)])
    expect(Exit.isFailure(exit)).toBe(true)
    expect(launches).toBe(0)
  })

  it("launches nothing for a bad resource limit", async () => {
    const { exit, launches } = await startWith(["true"], [rlimit({ nofile: [64, 32] })])
    expect(Exit.isFailure(exit)).toBe(true)
    expect(launches).toBe(0)
  })

  it("launches nothing for an empty command", async () => {
    const { exit, launches } = await startWith([], [])
    expect(failureOf(exit)).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
    expect(launches).toBe(0)
  })

  it("fails with a SpawnError, not a bare exit status, when the command does not exist", async () => {
    const { exit, launches } = await startWith(["kakoi-no-such-command"], [])
    expect(launches).toBe(1)
    expect(failureOf(exit)).toBeInstanceOf(SpawnError)
    expect(failureOf(exit)).toMatchObject({ reason: "CommandNotFound", message: "Command not found: kakoi-no-such-command" })
  })
})

describe("a child its owner never releases", () => {
  it("keeps no pidfd once it is reaped and nothing is left in its process group", async () => {
    const openFds = (): number => readdirSync("/proc/self/fd").length
    // Warm up with a child that outlives the launcher's short wait, so the poll thread's own fds exist already.
    await startWith(["sleep", "0.05"], [processGroup])
    const before = openFds()
    // startWith awaits the exit and never calls release: an interrupted owner looks the same.
    for (let index = 0; index < 20; index++) await startWith(["true"], [processGroup])
    expect(openFds()).toBeLessThanOrEqual(before)
  })
})

describe("a child's exit", () => {
  /** A plugin whose exit hook counts its calls and adds a diagnosis, at once or after `delayMs`. */
  const diagnosing = (delayMs: number | undefined) => {
    let calls = 0
    const plugin: Plugin<never, never> = {
      name: "diagnosing",
      exit: (exit) => {
        calls++
        const diagnosed: ExitResult = { ...exit, diagnosis: { cause: "supervisor", message: `call ${calls}`, syscalls: [] } }
        return delayMs === undefined ? Effect.succeed(diagnosed) : Effect.as(Effect.sleep(delayMs), diagnosed)
      }
    }
    return { plugin, calls: () => calls }
  }

  it.each([["answer at once", undefined], ["take time", 20]] as const)(
    "runs the exit hooks once for every waiter when they %s, and gives each the same exit",
    async (_name, delayMs) => {
      const { plugin, calls } = diagnosing(delayMs)
      const spec = specOf(["true"], [plugin])
      const [first, second, later] = await Effect.runPromise(
        Effect.flatMap(start(counted().runtime, spec), (child) =>
          Effect.flatMap(Effect.all([child.exit, child.exit], { concurrency: "unbounded" }), ([a, b]) => Effect.map(child.exit, (c) => [a, b, c] as const)))
      )
      expect(calls()).toBe(1)
      expect(first).toMatchObject({ exitCode: 0, diagnosis: { message: "call 1" } })
      expect(second).toBe(first)
      expect(later).toBe(first)
    }
  )

  it("still gives the exit to a waiter when the first waiter of slow hooks is interrupted", async () => {
    const { plugin, calls } = diagnosing(50)
    const spec = specOf(["true"], [plugin])
    const exit = await Effect.runPromise(
      Effect.flatMap(start(counted().runtime, spec), (child) =>
        Effect.flatMap(Effect.timeout(child.exit, 10).pipe(Effect.ignore), () => child.exit))
    )
    expect(exit).toMatchObject({ exitCode: 0, diagnosis: { message: "call 1" } })
    expect(calls()).toBe(1)
  })
})
