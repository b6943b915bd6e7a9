/**
 * Supervision trees as data: a supervisor owns an ordered list of children,
 * each a worker (a command with its restart and stop policies) or a nested
 * supervisor. Defaults follow Erlang/OTP where they make sense for processes.
 */
import type { Effect, Schedule } from "effect"
import type { ChildOptions } from "../spec.ts"
import type { SignalName } from "../signals.ts"
import type { ChildExit } from "./events.ts"

/**
 * Which siblings restart with a failed child: only itself (one-for-one), all
 * of them (one-for-all), or itself and those started after it (rest-for-one).
 *
 * @example
 * ```ts
 * import type { Strategy, SupervisorSpec } from "kakoi"
 *
 * // The web server restarts with the database it depends on, not the other way round.
 * const strategy: Strategy = "rest-for-one"
 * const tree: SupervisorSpec = { name: "app", strategy, children: [{ name: "db", argv: ["postgres"] }, { name: "web", argv: ["./web"] }] }
 * ```
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/**
 * When a child that ended is started again: always (permanent), only after an
 * abnormal end, a non-zero code or a signal (transient), never (temporary).
 *
 * @example
 * ```ts
 * import type { RestartType, WorkerSpec } from "kakoi"
 *
 * // A migration that must succeed once: restarted only when it fails.
 * const restart: RestartType = "transient"
 * const migrate: WorkerSpec = { name: "migrate", argv: ["./migrate"], restart }
 * ```
 */
export type RestartType = "permanent" | "transient" | "temporary"

/**
 * How a child is stopped: `signal` to its process group, then SIGKILL after `timeoutMs`.
 *
 * @example
 * ```ts
 * import type { StopPolicy, WorkerSpec } from "kakoi"
 *
 * // nginx stops gracefully on SIGQUIT; give it 10 s before SIGKILL.
 * const stop: StopPolicy = { signal: "SIGQUIT", timeoutMs: 10_000 }
 * const web: WorkerSpec = { name: "web", argv: ["nginx", "-g", "daemon off;"], stop }
 * ```
 */
export interface StopPolicy {
  readonly signal: SignalName
  readonly timeoutMs: number
}

/**
 * Give up when more than `maxRestarts` restarts happen within `withinMs`.
 *
 * @example
 * ```ts
 * import type { Intensity, SupervisorSpec } from "kakoi"
 *
 * // Tolerate 10 restarts a minute, then the supervisor fails (and its parent decides).
 * const intensity: Intensity = { maxRestarts: 10, withinMs: 60_000 }
 * const pool: SupervisorSpec = { name: "pool", intensity, children: [{ name: "worker", argv: ["./worker"] }] }
 * ```
 */
export interface Intensity {
  readonly maxRestarts: number
  readonly withinMs: number
}

/**
 * The default backoff as data (for JSON trees): exponential with jitter and a cap.
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from "kakoi"
 *
 * // 1 s, 3 s, 9 s ... at most a minute, exactly (no jitter).
 * const backoff: BackoffOptions = { initialMs: 1000, factor: 3, maxMs: 60_000, jitter: false }
 * ```
 */
export interface BackoffOptions {
  /** First delay. Default 100 ms. */
  readonly initialMs?: number
  /** Growth per restart. Default 2. */
  readonly factor?: number
  /** Largest delay. Default 30 s. */
  readonly maxMs?: number
  /** Scale each delay by a random factor in [0.8, 1.2]. Default true. */
  readonly jitter?: boolean
}

/**
 * Any Schedule works as a backoff: its delays are the waits before each restart; when it ends, the supervisor gives up.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { Backoff } from "kakoi"
 *
 * // Every 2 s, five times at most: then the supervisor gives up on the child.
 * const backoff: Backoff = Schedule.spaced("2 seconds").pipe(Schedule.upTo({ times: 5 }))
 * const asData: Backoff = { initialMs: 200 }
 * ```
 */
export type Backoff = Schedule.Schedule<unknown, ChildExit> | BackoffOptions

/**
 * When a started child counts as ready, so that the children after it may
 * start: a line on its output, a delay, or an Effect that succeeds (given the
 * child's pid) once it is.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Readiness } from "kakoi"
 *
 * const onLine: Readiness = { kind: "line", pattern: /listening on \d+/, timeoutMs: 5000 }
 * const settle: Readiness = { kind: "delay", ms: 250 }
 * const probed: Readiness = { kind: "effect", check: (pid) => Effect.log(`checking ${pid}`), timeoutMs: 2000 }
 * ```
 */
export type Readiness<R = never> =
  | { readonly kind: "line"; readonly pattern: RegExp | string; readonly stream?: "stdout" | "stderr"; readonly timeoutMs?: number }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "effect"; readonly check: (pid: number) => Effect.Effect<void, unknown, R>; readonly timeoutMs?: number }

/**
 * A supervised command: `run`'s options (plugins, env, cwd...) plus how it is
 * restarted, stopped and found ready.
 *
 * @example
 * ```ts
 * import { rlimit, type WorkerSpec } from "kakoi"
 *
 * const web: WorkerSpec<unknown, unknown> = {
 *   name: "web",
 *   argv: ["node", "server.js"],
 *   env: { PATH: "/usr/bin:/bin", PORT: "8080" },
 *   plugins: [rlimit({ nofile: 1024 })],
 *   ready: { kind: "line", pattern: "listening" },
 *   stop: { signal: "SIGTERM", timeoutMs: 5000 }
 * }
 * ```
 */
export interface WorkerSpec<E = never, R = never> extends ChildOptions<E, R> {
  /** Unique among its siblings; names events, lines and status entries. */
  readonly name: string
  readonly argv: ReadonlyArray<string>
  /** Default "permanent". */
  readonly restart?: RestartType
  /** Default SIGTERM, then SIGKILL after 5 s. */
  readonly stop?: Partial<StopPolicy>
  /** Default exponential from 100 ms, factor 2, jittered, capped at 30 s. */
  readonly backoff?: Backoff
  /** A run longer than this resets the backoff to its first delay. Default 10 s. */
  readonly resetAfterMs?: number
  /** Default: ready as soon as it is exec'd. */
  readonly ready?: Readiness<R>
  /**
   * Run the child in its own process group (a new session) so stopping it
   * stops its descendants too. Default true.
   */
  readonly processGroup?: boolean
}

/**
 * A supervisor, at the root of a tree or nested in one as a child.
 *
 * @example
 * ```ts
 * import { supervise, type SupervisorSpec } from "kakoi"
 *
 * const tree: SupervisorSpec = {
 *   name: "app",
 *   strategy: "one-for-all",
 *   children: [{ name: "queue", argv: ["./queue"] }, { name: "workers", children: [{ name: "w1", argv: ["./worker"] }] }]
 * }
 * const handle = await supervise(tree, { signal: AbortSignal.timeout(60_000) })
 * await handle.done
 * ```
 */
export interface SupervisorSpec<E = never, R = never> {
  readonly name: string
  /** Default "one-for-one". */
  readonly strategy?: Strategy
  /** Default 3 restarts within 5 s. */
  readonly intensity?: Partial<Intensity>
  readonly children: ReadonlyArray<ChildSpec<E, R>>
  /** As a child of another supervisor; default "permanent". */
  readonly restart?: RestartType
  /** Backoff before this supervisor is restarted by its parent. */
  readonly backoff?: Backoff
  readonly resetAfterMs?: number
}

/**
 * A child of a supervisor: a worker (`argv`) or a nested supervisor (`children`).
 *
 * @example
 * ```ts
 * import type { ChildSpec } from "kakoi"
 *
 * const children: ReadonlyArray<ChildSpec> = [{ name: "db", argv: ["postgres"] }, { name: "pool", children: [] }]
 * ```
 */
export type ChildSpec<E = never, R = never> = WorkerSpec<E, R> | SupervisorSpec<E, R>

/**
 * The errors the plugins of a whole tree can fail with, inferred from the
 * tree as written (every worker's `plugins`, at every depth).
 *
 * @example
 * ```ts
 * import type { Plugin } from "../plugin.ts"
 * import type { TreeError } from "./spec.ts"
 *
 * declare const a: Plugin<"a">
 * declare const b: Plugin<"b">
 * const tree = { name: "app", children: [{ name: "x", argv: ["true"], plugins: [a] }, { name: "y", argv: ["true"], plugins: [b] }] }
 * type E = TreeError<typeof tree> // "a" | "b"
 * ```
 */
export type TreeError<S> = S extends SupervisorSpec<infer E, unknown> ? E : never

/**
 * The services the plugins and readiness checks of a whole tree need, inferred
 * from the tree as written: what `superviseEffect` requires of its caller on
 * top of its adapter's services. A tree with no plugin and no readiness Effect
 * gives no candidate for `R` (inferred as unknown): it needs nothing.
 *
 * @example
 * ```ts
 * import type { Plugin } from "../plugin.ts"
 * import type { TreeServices } from "./spec.ts"
 *
 * declare const a: Plugin<never, "a">
 * const tree = { name: "app", children: [{ name: "inner", children: [{ name: "x", argv: ["true"], plugins: [a] }] }] }
 * type R = TreeServices<typeof tree> // "a"
 * ```
 */
export type TreeServices<S> = S extends SupervisorSpec<unknown, infer R> ? (unknown extends R ? never : R) : never

/**
 * Tell nested supervisors from workers.
 *
 * @example
 * ```ts
 * import { isSupervisorSpec } from "./spec.ts"
 *
 * isSupervisorSpec({ name: "pool", children: [] }) // true
 * ```
 */
export const isSupervisorSpec = <E, R>(spec: ChildSpec<E, R>): spec is SupervisorSpec<E, R> => "children" in spec

/**
 * Defaults, in one place so docs, CLI and code agree.
 *
 * @example
 * ```ts
 * import { defaults } from "./spec.ts"
 *
 * defaults.stop // { signal: "SIGTERM", timeoutMs: 5000 }
 * defaults.intensity // { maxRestarts: 3, withinMs: 5000 }
 * ```
 */
export const defaults: {
  readonly strategy: Strategy
  readonly restart: RestartType
  readonly stop: StopPolicy
  readonly intensity: Intensity
  readonly resetAfterMs: number
  readonly backoff: Required<BackoffOptions>
} = {
  strategy: "one-for-one",
  restart: "permanent",
  stop: { signal: "SIGTERM", timeoutMs: 5000 },
  intensity: { maxRestarts: 3, withinMs: 5000 },
  resetAfterMs: 10_000,
  backoff: { initialMs: 100, factor: 2, maxMs: 30_000, jitter: true }
}

/**
 * The stop policy with defaults filled in.
 *
 * @example
 * ```ts
 * import { stopPolicy } from "./spec.ts"
 *
 * stopPolicy({ timeoutMs: 500 }) // { signal: "SIGTERM", timeoutMs: 500 }
 * ```
 */
export const stopPolicy = (stop: Partial<StopPolicy> | undefined): StopPolicy => ({ ...defaults.stop, ...stop })
