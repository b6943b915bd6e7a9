/**
 * kakoi: run commands with seccomp filters, resource limits and other plugins
 * in force from the target's first instruction, on Node, Deno and Bun. This
 * entry picks the adapter for the runtime it is imported in, so the same code
 * runs unchanged in all three; a spawned child's streams are web streams
 * everywhere. Runtime-specific APIs (Node streams) live in `kakoi/node`,
 * `kakoi/deno` and `kakoi/bun`. The supervisor (`supervise`,
 * `superviseEffect`) is here too.
 *
 * @example
 * ```ts
 * import { policy, run, seccomp } from "kakoi"
 *
 * const denyMkdir = policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] })
 * const result = await run(["mkdir", "/tmp/x"], { plugins: [seccomp(denyMkdir)], env: { PATH: "/usr/bin:/bin" } })
 * result.exitCode // 1: mkdir said "Operation not permitted"
 * ```
 *
 * @module
 */
import type { Adapter } from "./adapters/portable.ts"
import { adapter } from "./adapters/select.js"

export * from "./adapters/portable.ts"

/**
 * Run a command to completion as an Effect. Fails only when the child cannot
 * start (bad policy, command not found, a missing Deno permission); a
 * non-zero exit is data.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi"
 *
 * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"], { env: {} }), layer))
 * ```
 */
export const runEffect: Adapter["runEffect"] = adapter.runEffect

/**
 * Run a command to completion. Resolves with the exit as data (never rejects
 * because of a non-zero exit); rejects with a typed error when the child
 * cannot start.
 *
 * @example
 * ```ts
 * import { run } from "kakoi"
 *
 * const { exitCode, stdout } = await run(["echo", "hi"], { env: { PATH: "/usr/bin:/bin" } })
 * ```
 */
export const run: Adapter["run"] = adapter.run

/**
 * Start a command and return once its target is exec'd (under its own pid,
 * with every plugin in force). Streams default to pipes, as web streams.
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi"
 *
 * const child = await spawn(["cat"], { env: {} })
 * const writer = child.stdin?.getWriter()
 * await writer?.write(new TextEncoder().encode("hello"))
 * await writer?.close()
 * const { exitCode } = await child.result
 * ```
 */
export const spawn: Adapter["spawn"] = adapter.spawn

/**
 * Load a policy into this process and every one of its threads (TSYNC). A bad
 * policy rejects before anything changes; once loaded, the filter cannot be removed.
 *
 * @example
 * ```ts
 * import { loadPolicy, policy } from "kakoi"
 *
 * await loadPolicy(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
 * ```
 */
export const loadPolicy: Adapter["loadPolicy"] = adapter.loadPolicy

/**
 * Learn a least-privilege policy for a command: run it with every syscall
 * observed, then allow just those (plus `launcherSyscalls`) and fail the rest
 * with `errno` (EPERM). Rejects like `run` when the command cannot start.
 *
 * @example
 * ```ts
 * import { learn, run, seccomp } from "kakoi"
 *
 * const { policy } = await learn(["ls", "/"], { env: {} })
 * await run(["ls", "/"], { plugins: [seccomp(policy)], env: {} }) // same output
 * ```
 */
export const learn: Adapter["learn"] = adapter.learn

/**
 * Load a policy into this process whose `trap` rules fail the call with
 * `options.errno` (EPERM) and tell `options.onTrap` which syscall it was (the
 * seed's `on_trap`). A helper process answers the calls, so the program cannot
 * deadlock itself; reports arrive asynchronously, after the call returned.
 *
 * @example
 * ```ts
 * import { policy, trapInProcess } from "kakoi"
 *
 * await trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat", "uname"), { default: "allow" }), {
 *   errno: "EACCES",
 *   onTrap: (call) => console.error(`trapped ${call.name}(${call.args.join(", ")})`)
 * })
 * ```
 */
export const trapInProcess: Adapter["trapInProcess"] = adapter.trapInProcess

/**
 * The layer that provides the plugins' services (libseccomp, libc) with this
 * runtime's FFI, for `runEffect` and your own Effects.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, runEffect } from "kakoi"
 *
 * await Effect.runPromise(runEffect(["true"], { env: {} }).pipe(Effect.provide(layer)))
 * ```
 */
export const layer: Adapter["layer"] = adapter.layer

/**
 * Start a supervision tree in the current scope (closing it stops every child
 * and its process group, last started first); succeeds once every child is
 * started and ready.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { layer, superviseEffect } from "kakoi"
 *
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 *   yield* Stream.runForEach(Stream.take(tree.events, 2), (event) => Effect.log(event.type))
 * }))
 * await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export const superviseEffect: Adapter["superviseEffect"] = adapter.superviseEffect

/**
 * Start a supervision tree; resolves once every child is started and ready,
 * rejects with a typed error when one cannot start. Aborting `signal` or
 * calling `stop()` stops every child gracefully.
 *
 * @example
 * ```ts
 * import { formatEvent, supervise } from "kakoi"
 *
 * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
 * for await (const event of tree.events) {
 *   console.log(formatEvent(event))
 *   if (event.type === "started") break
 * }
 * await tree.stop()
 * ```
 */
export const supervise: Adapter["supervise"] = adapter.supervise
