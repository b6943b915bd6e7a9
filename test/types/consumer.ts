/**
 * The README's compositions from a consumer's point of view, checked by the
 * type checker only (`npm run typecheck`, `typecheck:bun`, `typecheck:deno`):
 * plugins of different errors and services compose in one array, the Effect
 * APIs infer the union of their errors, and what must not compile does not.
 * Nothing here is meant to run; `consumer` is never called.
 */
import { Effect, Schedule, Stream } from "effect"
import { formatEvent, layer, learn, run, runEffect, spawn, supervise, superviseEffect, trapInProcess, type Plugin, type SpawnError, type SupervisorError } from "../../mod.ts"
import { run as runOnNode } from "../../adapters/node/mod.ts"
import { RlimitError, rlimit } from "../../plugins/rlimit/mod.ts"
import { answer, arg, policy, seccomp, type NotifyError, type PolicyError, type SeccompLibrary } from "../../plugins/seccomp/mod.ts"

/** True only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(_proof: Equals<A, B>): void => {}

/** The error channel of an Effect. */
type ErrorOf<T> = T extends Effect.Effect<unknown, infer E, unknown> ? E : never

/** A plugin that needs a service no adapter provides. */
interface Unprovided {
  readonly unprovided: true
}
declare const needsUnprovided: Plugin<never, Unprovided>

export const consumer = async (): Promise<void> => {
  // The tour: a JSON policy and a DSL policy.
  const noMkdir = policy({
    default: "allow",
    rules: [
      { action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] },
      { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }
    ]
  })
  const jail = policy((rule) => {
    rule.kill("mkdir", "mkdirat")
    rule.trap("uname")
    rule.errno("EAFNOSUPPORT", "socket", arg(0).ne(1))
  }, { default: "allow" })

  // The headline: plugins of different error types in one array.
  const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(noMkdir), rlimit({ nofile: 64, core: 0 })] })
  same<typeof result.exitCode, number | undefined>(true)
  same<typeof result.stderr, string>(true)
  const child = await spawn(["mkdir", "/tmp/y"], { plugins: [seccomp(jail)], stdio: "inherit" })
  const { signal, diagnosis } = await child.result
  void signal
  void diagnosis?.message

  // Plugin is covariant: a specific plugin is a plugin of any wider error and services.
  const wide: Plugin<unknown, SeccompLibrary | Unprovided> = seccomp(jail)
  void wide
  // A list built first has the union type, and is accepted as it is.
  const sandbox = [seccomp(jail), rlimit({ nofile: 64 })]
  await run(["true"], { plugins: sandbox })

  // The Effect API infers the union of the plugins' errors.
  const program = runEffect(["true"], { plugins: [seccomp(noMkdir), rlimit({ nofile: 64 })] })
  same<ErrorOf<typeof program>, PolicyError | NotifyError | RlimitError | SpawnError | ErrorOf<ReturnType<typeof runEffect<never>>>>(true)
  const plain = runEffect(["true"])
  same<Exclude<ErrorOf<typeof plain>, SpawnError>, Exclude<ErrorOf<typeof plain>, SpawnError | PolicyError | RlimitError>>(true)
  await Effect.runPromise(Effect.provide(Effect.catchTag(program, "RlimitError", () => Effect.succeed(undefined)), layer))

  // A plugin whose service no layer provides is refused.
  // @ts-expect-error Unprovided is not among the adapter's services
  await run(["true"], { plugins: [needsUnprovided] })
  // @ts-expect-error a misspelt option is an excess property
  await run(["true"], { plugin: [seccomp(jail)] })

  // In-process traps.
  await trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat", "uname"), { default: "allow" }), {
    errno: "EACCES",
    onTrap: (call) => console.error(`trapped ${call.name}(${call.args.join(", ")})`)
  })

  // Supervision: workers with different plugins, readiness, backoff, stop policy.
  const tree = await supervise({
    name: "app",
    strategy: "one-for-one",
    intensity: { maxRestarts: 3, withinMs: 5000 },
    children: [
      { name: "db", argv: ["/bin/sh", "-c", "echo accepting; sleep 60"], ready: { kind: "line", pattern: "accepting" }, plugins: [rlimit({ nofile: 64 })] },
      {
        name: "web",
        argv: ["/bin/sh", "-c", "echo listening; sleep 60"],
        env: { PATH: "/usr/bin:/bin" },
        plugins: [seccomp(noMkdir), rlimit({ core: 0 })],
        restart: "permanent",
        backoff: { initialMs: 100, maxMs: 30_000 },
        stop: { signal: "SIGTERM", timeoutMs: 5000 }
      },
      { name: "pool", children: [{ name: "worker", argv: ["sleep", "60"], backoff: Schedule.spaced("1 second") }] }
    ]
  }, { signal: AbortSignal.timeout(2000), hostSignals: "stop" })
  for await (const event of tree.events) console.log(formatEvent(event))
  await tree.done
  {
    const controller = new AbortController()
    await using sleeper = await supervise({ name: "app", children: [{ name: "sleeper", argv: ["sleep", "60"] }] }, { signal: controller.signal })
    console.log(await sleeper.status())
    controller.abort()
  }
  // @ts-expect-error a misspelt restart type
  await supervise({ name: "app", children: [{ name: "a", argv: ["true"], restart: "permament" }] })

  // The Effect supervisor infers the union of the whole tree's plugin errors, at every depth.
  const supervised = superviseEffect({
    name: "app",
    children: [
      { name: "a", argv: ["true"], plugins: [seccomp(jail)] },
      { name: "inner", children: [{ name: "b", argv: ["true"], plugins: [rlimit({ nofile: 8 })] }] }
    ]
  })
  same<Exclude<ErrorOf<typeof supervised>, SpawnError | SupervisorError | ErrorOf<typeof plain>>, PolicyError | NotifyError | RlimitError>(true)
  await Effect.runPromise(Effect.provide(Effect.scoped(Effect.gen(function* () {
    const running = yield* superviseEffect({ name: "app", children: [{ name: "flaky", argv: ["/bin/sh", "-c", "exit 1"], backoff: { initialMs: 50 } }] })
    yield* Stream.runForEach(Stream.takeUntil(running.events, (event) => event.type === "restarting"), (event) => Effect.log(formatEvent(event)))
  })), layer))

  // Notify handlers on a runtime's own entry.
  const fence = policy((rule) => {
    rule.notify(() => answer.value(4242), "getppid")
    rule.notify(async (call) => (call.args[0] === 0n ? answer.fail("EACCES") : answer.allow()), "read")
  }, { default: "allow" })
  await runOnNode(["./app"], { plugins: [seccomp(fence, { notify: { timeoutMs: 2000 } }), rlimit({ nofile: 64 })] })

  // Learn mode with extra plugins of another error type.
  const learned = await learn(["ls", "/"], { plugins: [rlimit({ nofile: 64 })] })
  await run(["ls", "/"], { plugins: [seccomp(learned.policy), rlimit({ nofile: 64 })] })
  void RlimitError
}
