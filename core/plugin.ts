/**
 * The plugin contract. A plugin hooks the lifecycle phases of each child:
 * - spawn (parent, before any process exists): adjust the spec, validate, compile;
 * - preExec (parent): contribute steps, as data, for the launcher to run in the child;
 * - exec (parent): the target is running under its final pid;
 * - exit (parent): read or enrich the exit data (e.g. explain a SIGSYS).
 * Failing spawn or preExec means nothing is started.
 */
import type { Effect } from "effect"
import type { ExitResult } from "./exit.ts"
import type { ChildSpec } from "./spec.ts"
import type { PreExecStep } from "./steps.ts"

export interface Plugin<E = never, R = never> {
  readonly name: string
  readonly spawn?: (spec: ChildSpec<E, R>) => Effect.Effect<ChildSpec<E, R>, E, R>
  readonly preExec?: (spec: ChildSpec<E, R>) => Effect.Effect<ReadonlyArray<PreExecStep>, E, R>
  readonly exec?: (child: { readonly pid: number; readonly spec: ChildSpec<E, R> }) => Effect.Effect<void, never, R>
  readonly exit?: (exit: ExitResult, spec: ChildSpec<E, R>) => Effect.Effect<ExitResult, never, R>
}
