/**
 * The one adapter factory: every runtime's entry (adapters/{node,deno,bun})
 * calls `makeAdapter` with its FFI binding (libc, an off-thread poll,
 * libseccomp) and its stream wrappers, and re-exports what it returns. The
 * API, its docs and its Effect runtime are written here once.
 */
import { Layer } from "effect"
import { makeApi, type Api, type Host } from "../../core/api.ts"
import { kernelFromLibc, KernelService } from "../../core/host/kernel.ts"
import type { Libc } from "../../core/libc.ts"
import { nativeFromLibc } from "../../core/libc-native.ts"
import { NativeLibrary } from "../../core/native.ts"
import type { NativeLibraryError } from "../../core/native-error.ts"
import type { ContainmentLevel } from "../../core/containment.ts"
import type { Plugin } from "../../core/plugin.ts"
import type { PollOffThread } from "../../core/poll.ts"
import { nativeRuntime, type LaunchBinding } from "../../core/runtime.ts"
import { makeSupervisorApi, type SupervisorApi } from "../../core/supervisor/api.ts"
import type { SeccompLibrary } from "../../plugins/seccomp/library.ts"
import { learnEffect, type LearnOptions, type LearnResult } from "../../plugins/seccomp/learn/learn.ts"
import { loadPolicy as loadPolicyEffect } from "../../plugins/seccomp/load.ts"
import type { Policy } from "../../plugins/seccomp/model.ts"
import { trapInProcess as trapInProcessEffect, type TrapOptions } from "../../plugins/seccomp/notify/in-process.ts"
import { listenerSystem, ListenerSystemService, type ListenerSystem } from "../../plugins/seccomp/notify/system.ts"
import { containment } from "../../plugins/sandbox/containment.ts"
import type { FenceError } from "../../plugins/sandbox/errors.ts"
import { outputBytes } from "./host-io.ts"
import { supervisorHost, type OutputIo } from "./supervisor-host.ts"
import { trapHelperStarter } from "./trap-helper-host.ts"

/**
 * Services the plugins shipped with kakoi need (the fences read the host through
 * KernelService); every adapter's `layer` provides them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer, type Services } from "kakoi"
 *
 * declare const program: Effect.Effect<number, never, Services>
 * const value = await Effect.runPromise(Effect.provide(program, layer))
 * ```
 */
export type Services = SeccompLibrary | NativeLibrary | ListenerSystemService | KernelService

/** What a runtime gives the factory. `X` is the runtime's own typed failure (Deno's permissions). */
export interface RuntimeBinding<Io, X = never> {
  readonly name: "node" | "deno" | "bun"
  /** libc bound with the runtime's FFI, loaded on first use. */
  readonly libc: () => Libc
  /** poll(2) on a thread that is not the main one. */
  readonly poll: PollOffThread
  /** Signals the runtime ignores for itself at startup (a target gets them back at SIG_DFL). */
  readonly runtimeIgnores: LaunchBinding["runtimeIgnores"]
  /** libseccomp bound with the runtime's FFI, opened when the layer is built. */
  readonly seccompLibrary: Layer.Layer<SeccompLibrary, NativeLibraryError | X>
  /** The parent's pipe ends (stdin, stdout, stderr) as the runtime's streams. */
  readonly streams: (pipes: readonly [number | undefined, number | undefined, number | undefined]) => Io
  readonly environment: Host<Io, X>["environment"]
  readonly writeInput: Host<Io, X>["writeInput"]
  readonly endInput: Host<Io, X>["endInput"]
  readonly preflight?: Host<Io, X>["preflight"]
  /** The argv that runs adapters/shared/trap-helper.ts in this runtime. */
  readonly trapHelper: (parentPid: number, errno: number) => ReadonlyArray<string>
}

/** The API every adapter exports, for its stream type `Io` and its own typed failure `X`. */
export interface AdapterApi<Io, X = never> {
  /**
   * The layer that provides the plugins' services (libseccomp, libc) and the
   * listener system notify rules use; the Promise functions run on it.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { layer, runEffect } from "kakoi/node"
   *
   * const result = await Effect.runPromise(Effect.provide(runEffect(["echo", "hi"]), layer))
   * ```
   */
  readonly layer: Layer.Layer<Services, NativeLibraryError | X>
  /** The host the API runs on (for core/api.ts and the supervisor). */
  readonly host: Host<Io, X | FenceError>
  /**
   * Run a command to completion as an Effect. Fails only when the child cannot
   * start (bad policy, command not found, ...); a non-zero exit is data.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { runEffect } from "kakoi/node"
   *
   * const program = Effect.gen(function*() {
   *   const result = yield* runEffect(["echo", "hi"])
   *   return result.stdout // "hi\n"
   * })
   * ```
   */
  readonly runEffect: Api<Io, Services, X | FenceError>["runEffect"]
  /**
   * Run a command to completion. Resolves with the exit as data (never rejects
   * because of a non-zero exit); rejects with a typed error when the child
   * cannot start.
   *
   * @example
   * ```ts
   * import { run } from "kakoi/node"
   *
   * const { exitCode, stdout } = await run(["echo", "hi"])
   * ```
   */
  readonly run: Api<Io, Services, X | FenceError>["run"]
  /**
   * Start a command and return once its target is exec'd (under its own pid,
   * with every plugin in force). Streams default to pipes.
   *
   * @example
   * ```ts
   * import { spawn } from "kakoi/node"
   *
   * const child = await spawn(["sleep", "30"])
   * child.kill("SIGTERM")
   * const { signal } = await child.result // "SIGTERM"
   * ```
   */
  readonly spawn: Api<Io, Services, X | FenceError>["spawn"]
  /**
   * Load a policy into this process and every one of its threads (TSYNC), as
   * the seed's `context.load` does. A bad policy rejects before anything
   * changes; once loaded, the filter cannot be removed.
   *
   * @example
   * ```ts
   * import { loadPolicy } from "kakoi/node"
   * import { policy } from "kakoi/seccomp"
   *
   * await loadPolicy(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
   * ```
   */
  readonly loadPolicy: (policy: Policy) => Promise<void>
  /**
   * Learn a least-privilege policy for a command: run it with every syscall
   * observed, then allow just those (plus `launcherSyscalls`) and fail the rest
   * with `errno` (EPERM). Rejects like `run` when the command cannot start.
   *
   * @example
   * ```ts
   * import { learn, run } from "kakoi/node"
   * import { seccomp } from "kakoi/seccomp"
   *
   * const { policy, syscalls } = await learn(["ls", "/"])
   * const again = await run(["ls", "/"], { plugins: [seccomp(policy)] }) // same output
   * ```
   */
  readonly learn: (argv: ReadonlyArray<string>, options?: LearnOptions<unknown, Services>) => Promise<LearnResult>
  /**
   * Load a policy into this process whose `trap` rules fail the call with
   * `options.errno` (EPERM) and tell `options.onTrap` which syscall it was, as
   * the seed's `on_trap`. A helper process answers the calls, so the program
   * cannot deadlock itself; reports arrive asynchronously (see README, "In-process traps").
   *
   * @example
   * ```ts
   * import { trapInProcess } from "kakoi/node"
   * import { policy } from "kakoi/seccomp"
   *
   * await trapInProcess(policy((rule) => rule.trap("mkdir", "mkdirat"), { default: "allow" }), {
   *   errno: "EACCES",
   *   onTrap: (call) => console.error(`trapped ${call.name}(${call.args.join(", ")})`)
   * })
   * ```
   */
  readonly trapInProcess: (policy: Policy, options: TrapOptions) => Promise<void>
  /**
   * Start a supervision tree in the current scope (closing it stops every child
   * and its process group, last started first); succeeds once every child is
   * started and ready.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { layer, superviseEffect } from "kakoi/node"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const tree = yield* superviseEffect({ name: "app", children: [{ name: "web", argv: ["sleep", "60"] }] })
   *   return yield* tree.status
   * }))
   * await Effect.runPromise(Effect.provide(program, layer))
   * ```
   */
  readonly superviseEffect: SupervisorApi<Services, X | FenceError>["superviseEffect"]
  /**
   * Start a supervision tree; resolves once every child is started and ready,
   * rejects with a typed error when one cannot start. Aborting `signal` or
   * calling `stop()` stops every child gracefully.
   *
   * @example
   * ```ts
   * import { supervise } from "kakoi/node"
   *
   * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["sleep", "60"], restart: "permanent" }] })
   * await tree.stop()
   * ```
   */
  readonly supervise: SupervisorApi<Services, X | FenceError>["supervise"]
}

/**
 * Builds an adapter's whole API from one runtime's binding.
 *
 * @example
 * ```ts
 * import type { WebIo } from "../../core/web-io.ts"
 *
 * declare const binding: RuntimeBinding<WebIo>
 * const adapter: AdapterApi<WebIo> = makeAdapter(binding)
 * const { exitCode } = await adapter.run(["true"])
 * ```
 */
export const makeAdapter = <Io extends OutputIo, X = never>(binding: RuntimeBinding<Io, X>): AdapterApi<Io, X> => {
  let listeners: ListenerSystem | undefined
  const layer: Layer.Layer<Services, NativeLibraryError | X> = Layer.mergeAll(
    binding.seccompLibrary,
    Layer.sync(NativeLibrary, () => nativeFromLibc(binding.libc())),
    Layer.sync(KernelService, () => kernelFromLibc(binding.libc())),
    // Notify rules: the listener system on the process's poll thread (asked for only when a policy notifies).
    Layer.sync(ListenerSystemService, () => (listeners ??= listenerSystem(binding.libc(), binding.poll)))
  )
  const runtime = nativeRuntime(
    binding.name,
    () => ({ libc: binding.libc(), poll: binding.poll, runtimeIgnores: binding.runtimeIgnores }),
    binding.streams
  )
  // One plugin per level, made on first use (a plugin keeps its Landlock ruleset for every child it contains).
  const levels = new Map<ContainmentLevel, Plugin<FenceError, never>>()
  const host: Host<Io, X | FenceError> = {
    runtime,
    containment: (level) => {
      // Its services (the Kernel port, libseccomp) are this adapter's layer's, which every run provides; a
      // containment plan adds no seccomp policy, so of the fence errors only FenceError can come of it.
      const known = levels.get(level) ?? (containment(level) as unknown as Plugin<FenceError, never>)
      levels.set(level, known)
      return known
    },
    environment: binding.environment,
    outputBytes,
    signalGroup: runtime.signalGroup,
    writeInput: binding.writeInput,
    endInput: binding.endInput,
    ...(binding.preflight === undefined ? {} : { preflight: binding.preflight })
  }
  const api = makeApi(host, layer)
  const trapHelper = trapHelperStarter(binding.trapHelper)
  const { superviseEffect, supervise } = makeSupervisorApi(supervisorHost(host), layer)
  return {
    layer,
    host,
    runEffect: api.runEffect,
    run: api.run,
    spawn: api.spawn,
    loadPolicy: (policy) => api.runPromise(loadPolicyEffect(policy)),
    learn: (argv, options) => api.runPromise(learnEffect<Services, X, Plugin<unknown, Services>>(api.runEffect, argv, options)),
    trapInProcess: (policy, options) => api.runPromise(trapInProcessEffect(policy, options, trapHelper)),
    superviseEffect,
    supervise
  }
}
