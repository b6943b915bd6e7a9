/**
 * `kakoi run`'s sandbox flags, turned into one sandbox() plugin:
 *   --sandbox                 the strict default, even with no other flag
 *   --ro PATH                 show only the listed paths, read-only (repeat)
 *   --rw PATH                 a writable path (repeat)
 *   --hide PATH               a hidden path (repeat)
 *   --net none|loopback|host|tcp:PORT[,PORT...]
 *   --user NAME|UID[:GID]|keep
 *   --cap NAME                a capability the child keeps (repeat)
 *   --diagnose-caps           the capability watch (diagnoseCapabilities)
 *   --hostname NAME
 *   --memory SIZE --pids N --cpu N
 *   --containment namespaces|cgroup|process-group
 * Any of them turns the sandbox on. The flag names follow bwrap's habits
 * (--ro-bind, --unshare-net) shortened, and the sandbox() option each sets.
 */
import { homedir } from "node:os"
import type { ContainmentLevel } from "../core/containment.ts"
import { type SandboxOptions, sandbox } from "../plugins/sandbox/sandbox.ts"
import type { NetworkOption } from "../plugins/sandbox/network.ts"
import type { FencePlugin } from "../plugins/sandbox/plugin.ts"
import { UsageError } from "./usage.ts"

const repeated: { type: "string"; multiple: true; default: Array<string> } = { type: "string", multiple: true, default: [] }

type StringFlag = { readonly type: "string" }
type Repeated = typeof repeated

/**
 * The flags, in parseArgs' form, to spread into a command's options.
 *
 * @example
 * ```ts
 * import { sandboxOptions } from "./sandbox-flags.ts"
 *
 * const options = { cwd: { type: "string" }, ...sandboxOptions } as const
 * ```
 */
export const sandboxOptions: {
  readonly sandbox: { readonly type: "boolean" }
  readonly ro: Repeated
  readonly rw: Repeated
  readonly hide: Repeated
  readonly net: StringFlag
  readonly user: StringFlag
  readonly cap: Repeated
  readonly "diagnose-caps": { readonly type: "boolean" }
  readonly hostname: StringFlag
  readonly memory: StringFlag
  readonly pids: StringFlag
  readonly cpu: StringFlag
  readonly containment: StringFlag
} = {
  sandbox: { type: "boolean" },
  ro: repeated,
  rw: repeated,
  hide: repeated,
  net: { type: "string" },
  user: { type: "string" },
  cap: repeated,
  "diagnose-caps": { type: "boolean" },
  hostname: { type: "string" },
  memory: { type: "string" },
  pids: { type: "string" },
  cpu: { type: "string" },
  containment: { type: "string" }
} as const

/**
 * What parseArgs gives for those flags.
 *
 * @example
 * ```ts
 * import type { SandboxFlagValues } from "./sandbox-flags.ts"
 *
 * const values: SandboxFlagValues = { ro: ["/usr"], rw: [], hide: [], net: "none" }
 * ```
 */
export interface SandboxFlagValues {
  readonly sandbox?: boolean | undefined
  readonly ro: ReadonlyArray<string>
  readonly rw: ReadonlyArray<string>
  readonly hide: ReadonlyArray<string>
  readonly net?: string | undefined
  readonly user?: string | undefined
  readonly cap?: ReadonlyArray<string>
  readonly "diagnose-caps"?: boolean | undefined
  readonly hostname?: string | undefined
  readonly memory?: string | undefined
  readonly pids?: string | undefined
  readonly cpu?: string | undefined
  readonly containment?: string | undefined
}

const network = (text: string): NetworkOption => {
  if (!text.startsWith("tcp:")) return text as "none"
  const ports = text.slice(4).split(",").map((port) => (/^\d+$/.test(port) ? Number(port) : Number.NaN))
  if (ports.some(Number.isNaN)) throw new UsageError("run", `--net ${text}: expected tcp:PORT[,PORT...], e.g. tcp:443`)
  return { connect: ports }
}

// Said here: a word passed on as NaN would be reported as "got NaN", not as what was typed.
const pids = (text: string): number => {
  if (!/^\d+$/.test(text)) throw new UsageError("run", `--pids ${text}: expected a whole number of processes, e.g. 64`)
  return Number(text)
}

const user = (text: string): NonNullable<SandboxOptions["user"]> => {
  const ids = /^(\d+)(?::(\d+))?$/.exec(text)
  return ids === null ? text : { uid: Number(ids[1]), gid: Number(ids[2] ?? ids[1]) }
}

/**
 * The sandbox options the flags ask for, or undefined when no sandbox flag was given.
 *
 * @example
 * ```ts
 * import { sandboxFromFlags } from "./sandbox-flags.ts"
 *
 * sandboxFromFlags({ ro: [], rw: ["/tmp/job"], hide: [], net: "tcp:443" })
 * // { filesystem: { write: ["/tmp/job"] }, network: { connect: [443] } }
 * ```
 */
export const sandboxFromFlags = (values: SandboxFlagValues): SandboxOptions | undefined => {
  const { ro, rw, hide } = values
  // --containment alone chooses the child's level (`containmentFromFlags`); with a sandbox flag it is the sandbox's.
  const caps = values.cap ?? []
  const diagnose = values["diagnose-caps"] === true
  const given = values.sandbox === true || ro.length + rw.length + hide.length + caps.length > 0 || diagnose ||
    [values.net, values.user, values.hostname, values.memory, values.pids, values.cpu].some((value) => value !== undefined)
  if (!given) return undefined
  const limits = {
    ...(values.memory === undefined ? {} : { memory: values.memory }),
    ...(values.pids === undefined ? {} : { pids: pids(values.pids) }),
    ...(values.cpu === undefined ? {} : { cpu: values.cpu })
  }
  return {
    ...(ro.length + rw.length + hide.length > 0 ? { filesystem: { ...(ro.length > 0 ? { read: ro } : {}), ...(rw.length > 0 ? { write: rw } : {}), ...(hide.length > 0 ? { hide } : {}) } } : {}),
    ...(values.net === undefined ? {} : { network: network(values.net) }),
    ...(values.user === undefined ? {} : { user: user(values.user) }),
    // Names are checked by sandbox(): a wrong one is its InvalidOption, with a suggestion.
    ...(caps.length === 0 ? {} : { capabilities: caps as NonNullable<SandboxOptions["capabilities"]> }),
    ...(diagnose ? { diagnoseCapabilities: true } : {}),
    ...(values.hostname === undefined ? {} : { hostname: values.hostname }),
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
    ...(values.containment === undefined ? {} : { containment: values.containment as ContainmentLevel })
  }
}

/**
 * The sandbox plugin for the flags, or undefined. A bad value (say --net tpc:443)
 * fails the spawn with the sandbox's InvalidOption error, which the CLI
 * reports as a usage mistake (exit 2) before anything starts.
 *
 * @example
 * ```ts
 * import { sandboxPlugin } from "./sandbox-flags.ts"
 *
 * const plugin = sandboxPlugin({ sandbox: true, ro: [], rw: [], hide: [] })
 * ```
 */
export const sandboxPlugin = (values: SandboxFlagValues): FencePlugin | undefined => {
  const options = sandboxFromFlags(values)
  return options === undefined ? undefined : sandbox(options, homedir())
}

/**
 * The run option `containment` for a `--containment` given without any
 * sandbox flag (with one, the sandbox takes it). An unknown level is refused
 * by the run's strict option decoding, naming the levels.
 *
 * @example
 * ```ts
 * import { containmentFromFlags } from "./sandbox-flags.ts"
 *
 * containmentFromFlags({ ro: [], rw: [], hide: [], containment: "process-group" }) // { containment: "process-group" }
 * ```
 */
export const containmentFromFlags = (values: SandboxFlagValues): { readonly containment?: ContainmentLevel } =>
  values.containment === undefined || sandboxFromFlags(values) !== undefined ? {} : { containment: values.containment as ContainmentLevel }
