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
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/**
 * When a child that ended is started again: always (permanent), only after an
 * abnormal end, a non-zero code or a signal (transient), never (temporary).
 */
export type RestartType = "permanent" | "transient" | "temporary"

/** How a child is stopped: `signal` to its process group, then SIGKILL after `timeoutMs`. */
export interface StopPolicy {
  readonly signal: SignalName
  readonly timeoutMs: number
}

/** Give up when more than `maxRestarts` restarts happen within `withinMs`. */
export interface Intensity {
  readonly maxRestarts: number
  readonly withinMs: number
}

/** The default backoff as data (for JSON trees): exponential with jitter and a cap. */
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

/** Any Schedule works as a backoff: its delays are the waits before each restart; when it ends, the supervisor gives up. */
export type Backoff = Schedule.Schedule<unknown, ChildExit> | BackoffOptions

/** When a started child counts as ready, so that the children after it may start. */
export type Readiness<R = never> =
  | { readonly kind: "line"; readonly pattern: RegExp | string; readonly stream?: "stdout" | "stderr"; readonly timeoutMs?: number }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "effect"; readonly check: (pid: number) => Effect.Effect<void, unknown, R>; readonly timeoutMs?: number }

/** A supervised command. */
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

/** A supervisor, at the root of a tree or nested in one as a child. */
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

/** A child of a supervisor. */
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

/** Defaults, in one place so docs, CLI and code agree. */
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

/** The stop policy with defaults filled in. */
export const stopPolicy = (stop: Partial<StopPolicy> | undefined): StopPolicy => ({ ...defaults.stop, ...stop })
