/**
 * The network() plugin:
 * - "none": a new network namespace with nothing in it, not even loopback;
 * - "loopback": a new network namespace with `lo` up (its own 127.0.0.1, not the host's);
 * - "host": the host's network, unfenced;
 * - { connect: [443], bind: [] }: the host's network with Landlock TCP rules
 *   (ABI 4): only these ports may be connected to or bound. Landlock knows only
 *   TCP, so this level also needs `tcpOnlyPolicy`, a seccomp policy that
 *   refuses every other inet socket (UDP, raw, SCTP...), packet sockets and
 *   io_uring (whose IORING_OP_SOCKET would bypass a socket rule); the plan
 *   names it in `policies` for the seccomp plugin to compile.
 */
import { Result } from "effect"
import type { PolicyJson } from "../seccomp/json.ts"
import { at, decoded, integer, list, oneOf, type Place, record } from "./decode.ts"
import type { FenceError } from "./errors.ts"
import { landlockPlanner } from "./landlock/plugin.ts"
import { emptyPlan, type FenceHost, type FencePlan, type FencePlugin, fencePlugin, inNamespaces } from "./plugin.ts"
import { constants } from "../../core/arch/generic.ts"

/**
 * The network a child gets.
 *
 * @example
 * ```ts
 * import type { NetworkOption } from "./network.ts"
 *
 * const https: NetworkOption = { connect: [443] }
 * ```
 */
export type NetworkOption = "none" | "loopback" | "host" | { readonly connect?: ReadonlyArray<number>; readonly bind?: ReadonlyArray<number> }

/**
 * Decoded: a level, or the TCP ports.
 *
 * @example
 * ```ts
 * import type { NetworkConfig } from "./network.ts"
 *
 * const config: NetworkConfig = { tcp: { connect: [443], bind: [] } }
 * ```
 */
export type NetworkConfig = "none" | "loopback" | "host" | { readonly tcp: { readonly connect: ReadonlyArray<number>; readonly bind: ReadonlyArray<number> } }

/** Socket types other than SOCK_STREAM: DGRAM, RAW, RDM, SEQPACKET, DCCP, PACKET. */
const otherTypes: ReadonlyArray<number> = [2, 3, 4, 5, 6, 10]

/**
 * The seccomp policy that keeps a TCP-only child to TCP: inet sockets of any
 * other type, packet sockets and io_uring fail with EACCES. Arguments are
 * compared on their low 32 bits, as the kernel reads an `int`.
 *
 * @example
 * ```ts
 * import { policy } from "../seccomp/policy.ts"
 * import { tcpOnlyPolicy } from "./network.ts"
 *
 * const filter = policy(tcpOnlyPolicy)
 * ```
 */
export const tcpOnlyPolicy: PolicyJson = {
  default: "allow",
  rules: [
    ...[constants.AF_INET, constants.AF_INET6].flatMap((family) => otherTypes.map((type) => ({
      action: "errno" as const, errno: "EACCES" as const, syscalls: ["socket"],
      args: [{ index: 0, op: "masked==" as const, mask: "0xffffffff", value: family }, { index: 1, op: "masked==" as const, mask: "0xf", value: type }]
    }))),
    { action: "errno", errno: "EACCES" as const, syscalls: ["socket"], args: [{ index: 0, op: "masked==", mask: "0xffffffff", value: constants.AF_PACKET }] },
    { action: "errno", errno: "EACCES" as const, syscalls: ["io_uring_setup"] }
  ]
}

/**
 * Decodes network() options.
 *
 * @example
 * ```ts
 * import { decodeNetwork } from "./network.ts"
 *
 * decodeNetwork({ connect: [443] }) // Success({ tcp: { connect: [443], bind: [] } })
 * decodeNetwork("loopbak") // Failure: Unknown value "loopbak": did you mean "loopback"?
 * ```
 */
export const decodeNetwork = (input: unknown, place: Place = { fence: "network", path: "network" }): Result.Result<NetworkConfig, FenceError> =>
  decoded(() => {
    if (typeof input === "string" || typeof input !== "object" || input === null) return oneOf(input, place, ["none", "loopback", "host"] as const)
    const fields = record(input, place, ["connect", "bind"])
    const ports = (key: "connect" | "bind", min: number): ReadonlyArray<number> =>
      fields[key] === undefined ? [] : list(fields[key], at(place, key), (port, where) => integer(port, where, min, 65535))
    return { tcp: { connect: ports("connect", 1), bind: ports("bind", 0) } }
  })

/**
 * A FencePlan plus the seccomp policies it relies on.
 *
 * @example
 * ```ts
 * import type { NetworkPlan } from "./network.ts"
 *
 * const plan: NetworkPlan = { steps: [{ kind: "unshare", namespaces: ["network"] }], release: () => {}, policies: [] }
 * ```
 */
export interface NetworkPlan extends FencePlan {
  readonly policies: ReadonlyArray<PolicyJson>
}

/**
 * A planner for decoded options (the Landlock ruleset of a TCP level is built once).
 *
 * @example
 * ```ts
 * import { networkPlanner } from "./network.ts"
 *
 * const plan = networkPlanner()
 * ```
 */
export const networkPlanner = (): ((config: NetworkConfig, host: FenceHost) => Result.Result<NetworkPlan, FenceError>) => {
  const landlock = landlockPlanner()
  return (config, host) => {
    switch (config) {
      case "host":
        return Result.succeed({ ...emptyPlan, policies: [] })
      case "none":
        return Result.succeed({ steps: inNamespaces(host, [{ kind: "unshare", namespaces: ["network"] }]), release: () => {}, policies: [] })
      case "loopback":
        return Result.succeed({ steps: inNamespaces(host, [{ kind: "unshare", namespaces: ["network"] }, { kind: "loopback-up" }]), release: () => {}, policies: [] })
      default: {
        const plan = landlock({ filesystem: undefined, network: config.tcp, scopes: [], bestEffort: false }, host)
        return Result.map(plan, (landlocked) => ({ ...landlocked, policies: [tcpOnlyPolicy] }))
      }
    }
  }
}

/**
 * The network every child gets.
 *
 * @example
 * ```ts
 * import { network } from "./network.ts"
 *
 * const offline = network("none")
 * const httpsOnly = network({ connect: [443] })
 * ```
 */
export const network = (option: NetworkOption): FencePlugin => fencePlugin("network", "network", decodeNetwork(option), networkPlanner())
