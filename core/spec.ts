/** The child spec: everything needed to start one child, after defaults are filled in. */
import type { ContainmentLevel } from "./containment.ts"
import { isEnvironmentSnapshot } from "./environment.ts"
import { setOwn } from "./plain-object.ts"
import type { Plugin } from "./plugin.ts"
import type { SignalName } from "./signals.ts"

/**
 * Something a plugin saw a running child do, told to whoever started it (the
 * supervisor turns these into events). Only seccomp user notification reports
 * today: a syscall that reached a handler.
 *
 * @example
 * ```ts
 * const seen: Observation = { kind: "trapped-syscall", pid: 4242, syscall: "mkdir", number: 83 }
 * ```
 */
export type Observation = { readonly kind: "trapped-syscall"; readonly pid: number; readonly syscall: string; readonly number: number }

/**
 * How one of the child's standard streams is connected.
 *
 * @example
 * ```ts
 * import { spawn } from "kakoi"
 *
 * // Feed stdin, show stdout on the terminal, drop stderr.
 * const child = await spawn(["cat"], { stdio: ["pipe", "inherit", "ignore"] })
 * await child.stdin?.getWriter().close()
 * await child.result
 * ```
 */
export type StdioOption = "pipe" | "inherit" | "ignore"

/**
 * A child spec as plugin hooks see it: everything but the plugin list, so a
 * plugin's type does not depend on the other plugins it is combined with.
 *
 * @example
 * ```ts
 * import type { ChildSpecView } from "./spec.ts"
 *
 * const where = (spec: ChildSpecView) => spec.cwd ?? "(the supervisor's cwd)"
 * ```
 */
export interface ChildSpecView {
  /** The command and its arguments; argv[0] is looked up in the child's PATH when it has no slash. */
  readonly argv: readonly [string, ...Array<string>]
  /** The child's whole environment: exactly these variables, nothing inherited from the launcher. */
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string | undefined
  readonly stdio: readonly [StdioOption, StdioOption, StdioOption]
  /** Signal the child gets when the supervisor dies (PR_SET_PDEATHSIG); undefined to outlive it. */
  readonly parentDeathSignal: SignalName | undefined
  /** Told of what plugins observe while the child runs; must not throw. */
  readonly observe: ((observation: Observation) => void) | undefined
}

/**
 * Everything needed to start one child, after defaults are filled in.
 *
 * @example
 * ```ts
 * import { makeSpec, type ChildSpec } from "./spec.ts"
 *
 * const spec: ChildSpec = makeSpec(["true"], { env: {} }, { env: () => ({}), stdio: ["ignore", "pipe", "pipe"] })
 * spec.plugins // []
 * ```
 */
export interface ChildSpec<E = never, R = never> extends ChildSpecView {
  readonly plugins: ReadonlyArray<Plugin<E, R>>
}

/**
 * The command as one string for messages: arguments with spaces or quotes are quoted.
 *
 * @example
 * ```ts
 * import { commandText } from "./spec.ts"
 *
 * commandText(["sh", "-c", "echo hi"]) // 'sh -c "echo hi"'
 * ```
 */
export const commandText = (argv: ReadonlyArray<string>): string =>
  argv.map((arg) => (/^[\w./:=@%+,-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(" ")

/**
 * What users pass to `run` and `spawn`; core/api.ts turns it into a ChildSpec with `makeSpec`.
 *
 * @example
 * ```ts
 * import { rlimit } from "kakoi"
 * import type { ChildOptions } from "./spec.ts"
 *
 * const options: ChildOptions<unknown, unknown> = {
 *   plugins: [rlimit({ nofile: 64 })],
 *   env: { PATH: "/usr/bin:/bin" },
 *   cwd: "/tmp",
 *   stdio: "inherit",
 *   parentDeathSignal: "SIGTERM",
 *   observe: (observation) => console.error(observation)
 * }
 * ```
 */
export interface ChildOptions<E = never, R = never> {
  /** Plugins, applied in order: e.g. `[seccomp(policy), rlimit({ nofile: 64 })]`. */
  readonly plugins?: ReadonlyArray<Plugin<E, R>>
  /** The child's whole environment; omit it to pass the supervisor's own environment. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
  /** One option for all three streams, or one each for stdin, stdout, stderr. */
  readonly stdio?: StdioOption | readonly [StdioOption, StdioOption, StdioOption]
  /** Signal sent to the child when the supervisor dies; false to let it outlive the supervisor. Default SIGKILL. */
  readonly parentDeathSignal?: SignalName | false
  /**
   * How far the child's descendants can get from it (core/containment.ts). Default "namespaces": its own pid
   * namespace and Landlock domain, so nothing it starts outlives it and it cannot reach its supervisor.
   * "process-group" is the weaker level of a plain spawn; a plugin that decides the level (`sandbox()`,
   * `containment()`) excludes this option.
   */
  readonly containment?: ContainmentLevel
  /** Told of what plugins observe while the child runs, e.g. each syscall a notify handler saw. */
  readonly observe?: (observation: Observation) => void
}

const definedEntries = (env: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> => {
  // A snapshot of the supervisor's environment (core/environment.ts) holds defined values only, and never changes.
  if (isEnvironmentSnapshot(env)) return env as Readonly<Record<string, string>>
  // One pass over the names, no entry arrays (Object.entries of Bun's and Node's process.env costs 2-3x as much).
  const defined: Record<string, string> = {}
  for (const name of Object.keys(env)) {
    const value = env[name]
    if (value !== undefined) setOwn(defined, name, value)
  }
  return defined
}

/**
 * Fill in defaults: `defaults` gives the supervisor's environment (read only
 * when the options have none: Deno needs a permission for it) and the call's
 * default stdio.
 *
 * @example
 * ```ts
 * import { makeSpec } from "./spec.ts"
 *
 * const spec = makeSpec(["ls"], { stdio: "inherit" }, { env: () => ({ PATH: "/usr/bin:/bin" }), stdio: ["ignore", "pipe", "pipe"] })
 * spec.stdio // ["inherit", "inherit", "inherit"]
 * spec.parentDeathSignal // "SIGKILL"
 * ```
 */
export const makeSpec = <E, R>(
  argv: ReadonlyArray<string>,
  options: ChildOptions<E, R>,
  defaults: {
    readonly env: () => Readonly<Record<string, string | undefined>>
    readonly stdio: readonly [StdioOption, StdioOption, StdioOption]
  }
): ChildSpec<E, R> => {
  const stdio = options.stdio ?? defaults.stdio
  return {
    argv: argv as ChildSpec<E, R>["argv"],
    env: definedEntries(options.env ?? defaults.env()),
    cwd: options.cwd,
    stdio: typeof stdio === "string" ? [stdio, stdio, stdio] : stdio,
    plugins: options.plugins ?? [],
    parentDeathSignal: options.parentDeathSignal === false ? undefined : (options.parentDeathSignal ?? "SIGKILL"),
    observe: options.observe
  }
}
