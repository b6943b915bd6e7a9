/**
 * The supervisor on real processes, as one suite every adapter runs
 * (test/node, test/deno, test/bun): strategies, restart types, intensity,
 * backoff, graceful and forced stops, process groups, event order,
 * readiness, nested trees, scopes, and no stray process at the end.
 */
import { spawn as spawnProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { it as effectIt } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, type Layer, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, describe, expect, it } from "vitest"
import type { Services } from "../../adapters/portable.ts"
import type { Plugin } from "../../core/plugin.ts"
import type { SupervisorApi, SupervisorHandle } from "../../core/supervisor/api.ts"
import type { SupervisorEvent } from "../../core/supervisor/events.ts"
import type { SupervisorSpec, WorkerSpec } from "../../core/supervisor/spec.ts"
import { answer, policy, seccomp } from "../../plugins/seccomp/mod.ts"
import { alive, inBackground, noneLeft, ownChildren, tagged, waitUntil } from "../helpers/processes.ts"

/** The supervising-process fixture; run as `<runtime argv...> supervisorFixture <runtime>`. */
export const supervisorFixture: string = fileURLToPath(new URL("../fixtures/supervise-sleepers.ts", import.meta.url))

/** The host-signals fixture; run as `<runtime argv...> hostSignalsFixture <runtime> <stop|forward>`. */
export const hostSignalsFixture: string = fileURLToPath(new URL("../fixtures/supervise-host-signals.ts", import.meta.url))

/** One adapter under test. */
export interface SupervisorUnderTest extends SupervisorApi<Services, unknown> {
  readonly runtime: string
  readonly layer: Layer.Layer<Services, unknown>
  /** argv that runs `supervisorFixture` in this runtime. */
  readonly fixture: ReadonlyArray<string>
}

/** A tree of the suite: plugins of any error, needing at most the services every adapter's layer provides. */
type Tree = SupervisorSpec<unknown, Services>

const sh = (script: string): Array<string> => ["/bin/sh", "-c", script]
const worker = (name: string, script: string, extra: Partial<WorkerSpec<unknown, Services>> = {}): WorkerSpec<unknown, Services> => ({
  name,
  argv: sh(script),
  env: { PATH: "/usr/bin:/bin" },
  backoff: { initialMs: 10, jitter: false },
  stop: { timeoutMs: 500 },
  ...extra
})
const tree = (children: Tree["children"], extra: Partial<Tree> = {}): Tree => ({
  name: "t",
  intensity: { maxRestarts: 10, withinMs: 10_000 },
  children,
  ...extra
})

/** A service of the caller's, which no adapter provides. */
class Stamp extends Context.Service<Stamp, { readonly value: string }>()("test/Stamp") {}

/** A plugin that needs Stamp: it puts the caller's value into the child's environment. */
const stamping: Plugin<never, Stamp> = {
  name: "stamp",
  spawn: (spec) =>
    Effect.gen(function* () {
      const { value } = yield* Stamp
      return { ...spec, env: { ...spec.env, STAMP: value } }
    })
}

/** Collects a handle's events as they come. */
const record = (handle: SupervisorHandle): Array<SupervisorEvent> => {
  const events: Array<SupervisorEvent> = []
  void (async () => {
    for await (const event of handle.events) events.push(event)
  })()
  return events
}

const pidsOf = (events: ReadonlyArray<SupervisorEvent>, child: string): Array<number> =>
  events.flatMap((event) => (event.type === "started" && event.child === child && event.pid !== undefined ? [event.pid] : []))

const count = (events: ReadonlyArray<SupervisorEvent>, type: SupervisorEvent["type"], child: string): number =>
  events.filter((event) => event.type === type && event.child === child).length

/** Registers the supervisor suite for one adapter. */
export const supervisorSuite = (adapter: SupervisorUnderTest): void => {
  const { supervise, superviseEffect } = adapter
  /** Every pid a test saw; none may be alive at the end. */
  const seen = new Set<number>()
  const started = async (spec: Tree) => {
    const handle = await supervise(spec)
    const events = record(handle)
    void (async () => {
      for await (const event of handle.events) if (event.type === "started" && event.pid !== undefined) seen.add(event.pid)
    })()
    return { handle, events }
  }

  describe(`supervisor on ${adapter.runtime}`, () => {
    afterAll(async () => {
      expect(await waitUntil(() => [...seen].every((pid) => !alive(pid)), 2000)).toBe(true)
      expect(await waitUntil(() => ownChildren().length === 0, 2000)).toBe(true)
    })

    it("one-for-one restarts only the child that failed", async () => {
      const { handle, events } = await started(tree([worker("steady", "sleep 60"), worker("crash", "sleep 0.05; exit 1")]))
      expect(await waitUntil(() => pidsOf(events, "t/crash").length >= 3, 3000)).toBe(true)
      expect(pidsOf(events, "t/steady")).toHaveLength(1)
      await handle.stop()
    })

    it("one-for-all restarts every sibling with the failed child", async () => {
      const { handle, events } = await started(
        tree([worker("first", "sleep 60"), worker("crash", "sleep 0.1; exit 1"), worker("last", "sleep 60")], { strategy: "one-for-all" })
      )
      expect(await waitUntil(() => pidsOf(events, "t/last").length >= 2, 3000)).toBe(true)
      expect(pidsOf(events, "t/first").length).toBeGreaterThanOrEqual(2)
      // Siblings stop last-started first.
      const stops = events.filter((event) => event.type === "stopped").slice(0, 2).map((event) => event.child)
      expect(stops).toEqual(["t/last", "t/first"])
      await handle.stop()
    })

    it("rest-for-one restarts the failed child and those started after it", async () => {
      const { handle, events } = await started(
        tree([worker("first", "sleep 60"), worker("crash", "sleep 0.1; exit 1"), worker("last", "sleep 60")], { strategy: "rest-for-one" })
      )
      expect(await waitUntil(() => pidsOf(events, "t/last").length >= 2, 3000)).toBe(true)
      expect(pidsOf(events, "t/first")).toHaveLength(1)
      await handle.stop()
    })

    it("restart types: permanent restarts a clean exit, transient only a failure, temporary never", async () => {
      const { handle, events } = await started(
        tree([
          worker("permanent", "exit 0", { restart: "permanent" }),
          worker("transient-ok", "exit 0", { restart: "transient" }),
          worker("transient-fail", "sleep 0.05; exit 2", { restart: "transient" }),
          worker("temporary", "exit 1", { restart: "temporary" })
        ], { intensity: { maxRestarts: 100, withinMs: 10_000 } })
      )
      expect(await waitUntil(() => count(events, "restarting", "t/permanent") >= 2 && count(events, "restarting", "t/transient-fail") >= 2, 3000)).toBe(true)
      expect(count(events, "restarting", "t/permanent")).toBeGreaterThanOrEqual(2)
      expect(count(events, "restarting", "t/transient-fail")).toBeGreaterThanOrEqual(2)
      expect(count(events, "restarting", "t/transient-ok")).toBe(0)
      expect(count(events, "restarting", "t/temporary")).toBe(0)
      expect(events.find((event) => event.type === "exited" && event.child === "t/temporary")).toMatchObject({ restart: false })
      await handle.stop()
    })

    it("gives up when the restart intensity is exceeded, naming the child and its last exits", async () => {
      const { handle, events } = await started(
        tree([worker("steady", "sleep 60"), worker("loop", "exit 3")], { intensity: { maxRestarts: 2, withinMs: 5000 } })
      )
      const error = await handle.done.then(() => undefined, (error: unknown) => error)
      expect(error).toMatchObject({ _tag: "SupervisorError", reason: "GaveUp", child: "t/loop" })
      expect((error as Error).message).toBe(
        'Supervisor "t" gave up on "t/loop" (more than 2 restarts within 5000 ms): last exits exit code 3; exit code 3; exit code 3'
      )
      expect(events.at(-1)).toMatchObject({ type: "stopped", child: "t/steady" })
    })

    /** Real time passing, which the TestClock does not see: what a child does meanwhile is real. */
    const realTime = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

    effectIt.effect("waits the backoff between restarts on the Effect clock (TestClock), not on the wall clock", () =>
      Effect.gen(function* () {
        const running = yield* superviseEffect(tree([worker("slow", "exit 1", { backoff: { initialMs: 300, jitter: false } })]))
        const restarting = yield* Stream.runHead(Stream.filter(running.events, (event) => event.type === "restarting"))
        expect(restarting).toMatchObject({ _tag: "Some", value: { delayMs: 300 } })
        // Far longer than the backoff in real time: still waiting, since only the TestClock counts.
        yield* realTime(500)
        expect((yield* running.status)[0]?.state).toBe("restarting")
        yield* TestClock.adjust(299)
        expect((yield* running.status)[0]?.state).toBe("restarting")
        yield* TestClock.adjust(1)
        const starts = yield* Stream.runCollect(Stream.take(Stream.filter(running.events, (event) => event.type === "starting"), 2))
        expect(starts.map((event) => event.at)).toEqual([0, 300])
      }).pipe(Effect.scoped, Effect.provide(adapter.layer))
    )

    effectIt.effect("a plugin's service comes from superviseEffect's caller", () =>
      Effect.gen(function* () {
        const running = yield* superviseEffect({
          name: "t",
          children: [{ name: "stamped", argv: sh("echo \"stamp=$STAMP\"; sleep 60"), env: { PATH: "/usr/bin:/bin" }, plugins: [stamping] }]
        })
        const line = yield* Stream.runHead(running.lines)
        expect(line).toMatchObject({ _tag: "Some", value: { child: "t/stamped", line: "stamp=from the caller" } })
      }).pipe(Effect.scoped, Effect.provideService(Stamp, { value: "from the caller" }), Effect.provide(adapter.layer))
    )

    effectIt.effect("kills a child that ignores SIGTERM once the stop timeout has passed on the Effect clock (TestClock)", () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const running = yield* superviseEffect(
          tree([worker("stubborn", "trap '' TERM; echo up; sleep 60", { stop: { timeoutMs: 300 }, ready: { kind: "line", pattern: "up" } })])
        ).pipe(Scope.provide(scope))
        const pid = (yield* running.status)[0]?.pid ?? 0
        seen.add(pid)
        const stopping = yield* Effect.forkChild(Scope.close(scope, Exit.void))
        // SIGTERM is sent and ignored; in real time the grace period is long over, on the TestClock it is not.
        yield* realTime(500)
        expect(alive(pid)).toBe(true)
        yield* TestClock.adjust(300)
        yield* Fiber.join(stopping)
        const stopped = yield* Stream.runCollect(Stream.filter(running.events, (event) => event.type === "stopped"))
        expect(stopped).toMatchObject([{ child: "t/stubborn", exit: { signal: "SIGKILL" } }])
        expect(alive(pid)).toBe(false)
      }).pipe(Effect.provide(adapter.layer))
    )

    it("stops grandchildren with their child (process group)", async () => {
      const sleeper = inBackground("sleep 60")
      const handle = await supervise(tree([worker("parent", `${sleeper.script} wait`, { ready: { kind: "line", pattern: /^running$/ } })]))
      expect(tagged(sleeper.marker, true)).toHaveLength(1)
      await handle.stop()
      expect(await noneLeft(sleeper.marker, 1000)).toBe(true)
    })

    it("leaves no child and no grandchild alive when the supervising process is SIGKILLed", async () => {
      const [command = "", ...args] = adapter.fixture
      const fixture = spawnProcess(command, [...args, supervisorFixture, adapter.runtime.toLowerCase()], { stdio: ["ignore", "pipe", "inherit"] })
      const [line] = (await once(fixture.stdout, "data")) as [Buffer]
      const pids = JSON.parse(line.toString()) as Array<number>
      // Two children and the grandchild the second one started: the parent-death signal reaches only the children.
      expect(pids).toHaveLength(3)
      expect(pids.every(alive)).toBe(true)
      fixture.kill("SIGKILL")
      await once(fixture, "exit")
      const gone = await waitUntil(() => pids.every((pid) => !alive(pid)), 2000)
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL")
      expect(gone).toBe(true)
    })

    /** Runs the host-signals fixture, sends it `signal` once its children run; its output and exit. */
    const signalFixture = async (mode: "stop" | "forward", signal: NodeJS.Signals) => {
      const [command = "", ...args] = adapter.fixture
      const fixture = spawnProcess(command, [...args, hostSignalsFixture, adapter.runtime.toLowerCase(), mode], { stdio: ["ignore", "pipe", "inherit"] })
      let stdout = ""
      fixture.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()))
      const exited = once(fixture, "exit") as Promise<[number | null, string | null]>
      const running = await waitUntil(() => stdout.includes("running\n"), 10_000)
      // Not fixture.kill(): Deno's child_process then reports the signal as the cause of any exit, even a clean one.
      process.kill(fixture.pid ?? 0, signal)
      const [code, killedBy] = await exited
      return { running, stdout, code, killedBy }
    }

    it('hostSignals "stop": SIGTERM stops the children gracefully, last started first, and the process exits cleanly', async () => {
      const { running, stdout, code, killedBy } = await signalFixture("stop", "SIGTERM")
      expect(running).toBe(true)
      expect(stdout).toBe("running\nfixture/b got TERM\nfixture/a got TERM\ndone\n")
      expect([code, killedBy]).toEqual([0, null])
    })

    it('hostSignals "forward": SIGINT reaches every child, which end by themselves', async () => {
      const { running, stdout, code, killedBy } = await signalFixture("forward", "SIGINT")
      expect(running).toBe(true)
      expect(stdout.split("\n").sort()).toEqual(["", "done", "fixture/a got INT", "fixture/b got INT", "running"])
      expect([code, killedBy]).toEqual([0, null])
    })

    it("emits events in order", async () => {
      const { handle, events } = await started(tree([worker("once", "echo hi; exit 1", { restart: "transient" })]))
      expect(await waitUntil(() => pidsOf(events, "t/once").length >= 2, 3000)).toBe(true)
      await handle.stop()
      // The stream ends once the tree has stopped (the child may be between two runs then, with no "stopped" of its own).
      const all: Array<SupervisorEvent> = []
      for await (const event of handle.events) all.push(event)
      expect(all.at(-1)?.type).toMatch(/^(stopped|exited|restarting)$/)
      const types = events.filter((event) => event.child === "t/once").map((event) => event.type)
      expect(types.slice(0, 7)).toEqual(["starting", "started", "ready", "exited", "restarting", "starting", "started"])
      expect(events.map((event) => event.at)).toEqual([...events.map((event) => event.at)].sort((a, b) => a - b))
    })

    it("reports a syscall a notify handler saw as a trapped-syscall event of the child", async () => {
      const notifyUname = seccomp(policy({ default: "allow", rules: [{ action: "notify", syscalls: ["uname"] }] }), {
        notify: { handler: () => answer.fail("EPERM") }
      })
      const { handle, events } = await started(tree([worker("probe", "uname || echo denied; sleep 60", { plugins: [notifyUname] })]))
      expect(await waitUntil(() => events.some((event) => event.type === "trapped-syscall"), 5000)).toBe(true)
      const trapped = events.find((event) => event.type === "trapped-syscall")
      expect(trapped).toMatchObject({ type: "trapped-syscall", child: "t/probe", syscall: "uname" })
      expect(trapped?.type === "trapped-syscall" && pidsOf(events, "t/probe").length > 0).toBe(true)
      await handle.stop()
    })

    it("tags output lines with the child's path, split across chunks", async () => {
      const handle = await supervise(tree([worker("talker", "printf 'one\\ntw'; sleep 0.1; printf 'o\\r\\nthree'; sleep 60")]))
      const lines: Array<string> = []
      void (async () => {
        for await (const line of handle.lines) lines.push(`${line.child} ${line.stream} ${line.line}`)
      })()
      expect(await waitUntil(() => lines.length >= 2, 2000)).toBe(true)
      await handle.stop()
      expect(await waitUntil(() => lines.length >= 3, 1000)).toBe(true)
      expect(lines).toEqual(["t/talker stdout one", "t/talker stdout two", "t/talker stdout three"])
    })

    it("starts a dependent only after its predecessor is ready", async () => {
      const { handle, events } = await started(
        tree([worker("db", "sleep 0.3; echo 'accepting connections'; sleep 60", { ready: { kind: "line", pattern: "accepting" } }), worker("app", "sleep 60")])
      )
      expect(await waitUntil(() => count(events, "started", "t/app") === 1, 1000)).toBe(true)
      await handle.stop()
      const ready = events.findIndex((event) => event.type === "ready" && event.child === "t/db")
      const appStarting = events.findIndex((event) => event.type === "starting" && event.child === "t/app")
      expect(ready).toBeGreaterThanOrEqual(0)
      expect(appStarting).toBeGreaterThan(ready)
    })

    it("restarts a nested supervisor that gave up, and reports its children in the status", async () => {
      const nested: Tree = { name: "inner", intensity: { maxRestarts: 1, withinMs: 5000 }, children: [worker("loop", "exit 1")] }
      const { handle, events } = await started(tree([worker("steady", "sleep 60"), nested], { intensity: { maxRestarts: 1, withinMs: 10_000 } }))
      const error = await handle.done.then(() => undefined, (error: unknown) => error)
      expect(count(events, "gave-up", "t/inner/loop")).toBe(2)
      expect(events.find((event) => event.type === "exited" && event.child === "t/inner")).toMatchObject({ exit: { exitCode: 1, diagnosis: { cause: "supervisor" } } })
      expect(error).toMatchObject({ child: "t/inner" })
    })

    it("status shows pid, uptime, restarts and last exit", async () => {
      const { handle, events } = await started(tree([worker("up", "sleep 60"), worker("flaky", "sleep 0.05; exit 4", { backoff: { initialMs: 2000, jitter: false } })]))
      expect(await waitUntil(() => count(events, "restarting", "t/flaky") >= 1, 2000)).toBe(true)
      const [up, flaky] = await handle.status()
      expect(up).toMatchObject({ child: "t/up", state: "running", restarts: 0, lastExit: undefined })
      expect(up?.pid).toBeGreaterThan(0)
      expect(flaky).toMatchObject({ child: "t/flaky", state: "restarting", pid: undefined, restarts: 1, lastExit: { exitCode: 4 } })
      await handle.stop()
    })

    it("stops everything when the AbortSignal aborts", async () => {
      const controller = new AbortController()
      const handle = await supervise(tree([worker("a", "sleep 60")]), { signal: controller.signal })
      const [status] = await handle.status()
      controller.abort()
      await handle.done
      expect(await waitUntil(() => !alive(status?.pid ?? 0), 1000)).toBe(true)
    })

    it("closing the scope mid-restart leaves nothing running", async () => {
      const pids: Array<number> = []
      const scope = Scope.makeUnsafe()
      const program = Effect.gen(function* () {
        const running = yield* superviseEffect(
          tree([worker("steady", "sleep 60"), worker("crash", "exit 1", { backoff: { initialMs: 5000, jitter: false } })], { strategy: "one-for-all" })
        )
        yield* Stream.runForEach(Stream.takeUntil(running.events, (event) => event.type === "restarting"), (event) =>
          Effect.sync(() => event.type === "started" && event.pid !== undefined && pids.push(event.pid))
        )
      })
      await Effect.runPromise(program.pipe(Scope.provide(scope), Effect.provide(adapter.layer)))
      await Effect.runPromise(Scope.close(scope, Exit.void))
      expect(pids).toHaveLength(2)
      expect(pids.filter(alive)).toEqual([])
    })

    effectIt.effect("steps the backoff on the Effect clock (TestClock): 1 s, 2 s, 4 s", () =>
      Effect.gen(function* () {
        const running = yield* superviseEffect(tree([worker("crash", "exit 1", { backoff: { initialMs: 1000, jitter: false } })]))
        const delays: Array<number> = []
        const nextDelay = Effect.gen(function* () {
          const events = yield* Stream.runCollect(Stream.take(Stream.filter(running.events, (event) => event.type === "restarting"), delays.length + 1))
          const last = events.at(-1)
          return last?.type === "restarting" ? last.delayMs : -1
        })
        delays.push(yield* nextDelay)
        yield* TestClock.adjust(999)
        expect((yield* running.status)[0]?.state).toBe("restarting")
        yield* TestClock.adjust(1)
        delays.push(yield* nextDelay)
        yield* TestClock.adjust(2000)
        delays.push(yield* nextDelay)
        expect(delays).toEqual([1000, 2000, 4000])
      }).pipe(Effect.provide(adapter.layer))
    )
  })
}
