/**
 * The tree's watchdog: what kills a child's descendants when the supervising
 * process dies, even by SIGKILL.
 *
 * Why a watchdog: the parent-death signal is per process and not inherited,
 * so it kills a child but not the processes the child started; a process
 * that is SIGKILLed runs no code, so the supervisor cannot clean up itself.
 * PR_SET_CHILD_SUBREAPER does not help either: orphans would be reparented
 * to the supervisor while it lives, but once it dies they move on to init,
 * alive. So one small process per tree outlives the supervisor for that
 * moment: the supervisor tells it each child's process group (children run
 * in their own groups) on its stdin; when the supervisor dies, the kernel
 * closes the pipe, the watchdog reads end-of-file and SIGKILLs every group
 * still registered, then exits. It is /bin/sh running builtins only (read,
 * case, kill): no compiled helper, a few hundred KiB, and started through the
 * same launcher as the children, so it works alike in Node, Deno and Bun.
 * It runs in a session of its own (a signal to the supervisor's group, like
 * Ctrl-C, does not reach it), ignores the usual termination signals, and has
 * no parent-death signal, since outliving the supervisor is its job. The pipe
 * stays private to it: every other fd is close-on-exec in the children.
 */
import { Effect, Exit, Fiber, type Scope } from "effect"
import type { SpawnError } from "../errors.ts"
import { start } from "../lifecycle.ts"
import { makeSpec, type ChildOptions } from "../spec.ts"
import type { GroupGuard, InputLines, SupervisorHost } from "./host.ts"
import { processGroup } from "./process-group.ts"

/** Lines "+PGID" register a group, "-PGID" forget it; at end-of-file, kill the rest. Anything else is ignored. */
const script = `trap '' INT TERM HUP QUIT PIPE
groups=' '
while read -r line; do
  pgid=\${line#?}
  case $line in
    ?*[!0-9]* | ?) ;;
    +*) groups="$groups$pgid " ;;
    -*) case $groups in *" $pgid "*) groups="\${groups%% $pgid *} \${groups#* $pgid }" ;; esac ;;
  esac
done
for pgid in $groups; do kill -9 "-$pgid" 2>/dev/null; done`

/** Once told to go, the watchdog exits at once; this only bounds a watchdog that was stopped from outside. */
const exitWaitMs = 1000

const options: ChildOptions<never, never> = { env: {}, plugins: [processGroup], parentDeathSignal: false }

/**
 * A tree's watchdog as the supervisor sees it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Watchdog } from "./watchdog.ts"
 *
 * declare const watchdog: Watchdog<never>
 * const guarded = Effect.map(watchdog.started, () => watchdog.guard.register(4242))
 * ```
 */
export interface Watchdog<X> {
  readonly guard: GroupGuard
  /** The process groups registered now: every running child in its own group. */
  readonly groups: ReadonlySet<number>
  /** Succeeds once the watchdog runs; fails with the typed error when it could not start. */
  readonly started: Effect.Effect<void, SpawnError | X>
}

/**
 * Start the tree's watchdog in the background and return its guard at once:
 * registrations made before it runs are queued, so it costs the first child
 * no time. `started` fails with the typed error when it could not start.
 * Closing the scope ends it gracefully (every group is released by then).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { startWatchdog } from "./watchdog.ts"
 *
 * declare const host: import("./host.ts").SupervisorHost<unknown>
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const { guard, started } = yield* startWatchdog(host)
 *   yield* started
 *   guard.register(1234) // SIGKILLed as a group if this process dies
 * }))
 * ```
 */
export const startWatchdog = <Io, X>(
  host: SupervisorHost<Io, X>
): Effect.Effect<Watchdog<X>, never, Scope.Scope> =>
  Effect.gen(function* () {
    let channel: InputLines | undefined
    let pending: Array<string> = []
    const send = (line: string) => (channel === undefined ? void pending.push(line) : channel.write(line))
    const groups = new Set<number>()
    const guard: GroupGuard = {
      register: (pgid) => {
        groups.add(pgid)
        send(`+${pgid}\n`)
      },
      release: (pgid) => {
        groups.delete(pgid)
        send(`-${pgid}\n`)
      }
    }
    // Uninterruptible like a worker's start: a watchdog that exists is always known, so it is always ended.
    const launch = Effect.uninterruptible(
      Effect.gen(function* () {
        if (host.preflight) yield* host.preflight(["/bin/sh"], options)
        const running = yield* start(host.runtime, makeSpec(["/bin/sh", "-c", script], options, { env: () => ({}), stdio: ["pipe", "ignore", "ignore"] }))
        channel = host.inputLines(running.io)
        if (channel === undefined) {
          running.kill("SIGKILL")
          // A host that ignores "pipe" for stdin is a bug in kakoi, not something a caller can handle.
          return yield* Effect.die(new Error(`The watchdog's stdin is not a pipe on ${host.runtime.name}`))
        }
        channel.write(pending.join(""))
        pending = []
        return running
      })
    )
    const fiber = yield* Effect.forkScoped(launch)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        const launched = yield* Fiber.await(fiber)
        if (Exit.isFailure(launched)) return
        channel?.close()
        yield* Effect.timeoutOption(launched.value.exit, exitWaitMs)
        yield* launched.value.release
      })
    )
    return { guard, groups, started: Effect.asVoid(Fiber.join(fiber)) }
  })
