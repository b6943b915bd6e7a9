/**
 * The signals the supervising process receives (SIGTERM from a service
 * manager, SIGINT from Ctrl-C): on request, they stop the tree in order or
 * are passed on to the children. Without a listener the runtime would just
 * exit, and the children would die by their parent-death signal (SIGKILL):
 * no grace period, no reverse order.
 */
import type { SignalName } from "../signals.ts"
import type { RunningChildren, SupervisorHost } from "./host.ts"

/**
 * "stop": stop the tree gracefully (children last-started first, each with its
 * stop policy); the tree's `done` then resolves. "forward": send the signal to
 * every running child's tree (its process group, or its pid namespace); the restart policy then sees them exit
 * like any other exit.
 *
 * @example
 * ```ts
 * import { supervise, type HostSignals } from "kakoi"
 *
 * // Under systemd: SIGTERM stops the tree in order, each child with its stop policy.
 * const hostSignals: HostSignals = "stop"
 * const tree = await supervise({ name: "app", children: [{ name: "web", argv: ["./web"] }] }, { hostSignals })
 * await tree.done
 * ```
 */
export type HostSignals = "stop" | "forward"

/**
 * The signals `HostSignals` handles.
 *
 * @example
 * ```ts
 * import { hostSignalNames } from "./host-signals.ts"
 *
 * hostSignalNames.includes("SIGINT") // true
 * ```
 */
export const hostSignalNames: ReadonlyArray<SignalName> = ["SIGTERM", "SIGINT"]

/**
 * Listen for SIGTERM and SIGINT; returns the unsubscribe, which gives the
 * runtime its own handling back.
 *
 * @example
 * ```ts
 * import { listenHostSignals } from "./host-signals.ts"
 *
 * declare const host: import("./host.ts").SupervisorHost<unknown>
 * const unsubscribe = listenHostSignals(host, "stop", () => console.log("stopping"), new Set())
 * unsubscribe()
 * ```
 */
export const listenHostSignals = <Io, X>(
  host: SupervisorHost<Io, X>,
  mode: HostSignals,
  stop: () => void,
  running: RunningChildren
): (() => void) => {
  const unsubscribes = hostSignalNames.map((signal) =>
    host.onSignal(signal, () => {
      if (mode === "stop") stop()
      else for (const send of running) send(signal)
    })
  )
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe()
  }
}
