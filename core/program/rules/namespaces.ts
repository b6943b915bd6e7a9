/**
 * Compile rules of the namespace steps: the user namespace's maps (the
 * namespace itself comes from the clone: CLONE_NEWUSER in cloneFlags), one
 * unshare(2) for the mount, network, UTS, IPC and cgroup namespaces, and what
 * a fresh UTS or network namespace needs set up: its hostname, `lo` up.
 */
import type { PreExecStep, UnsharedNamespace } from "../../steps.ts"
import { ProgramError } from "../errors.ts"
import { Mode, stepSlots } from "../format.ts"
import { refuseNul, writeFile, type RuleContext, type RuleOp } from "./context.ts"

/**
 * A step these rules compile.
 *
 * @example
 * ```ts
 * const step: NamespaceStep = { kind: "hostname", name: "sandbox" }
 * ```
 */
export type NamespaceStep = Extract<PreExecStep, { kind: "user-namespace" | "unshare" | "hostname" | "loopback-up" }>

/** HOST_NAME_MAX */
const maxHostname = 64
const encoder = new TextEncoder()

const flagOf = (context: RuleContext, namespace: UnsharedNamespace): number => {
  const c = context.table.constants
  switch (namespace) {
    case "mount":
      return c.CLONE_NEWNS
    case "network":
      return c.CLONE_NEWNET
    case "uts":
      return c.CLONE_NEWUTS
    case "ipc":
      return c.CLONE_NEWIPC
    case "cgroup":
      return c.CLONE_NEWCGROUP
    default:
      return namespace satisfies never
  }
}

/** An ifreq naming `lo` with IFF_UP: SIOCSIFFLAGS sets the interface's changeable flags to exactly these. */
const loopbackRequest = (context: RuleContext): Uint8Array => {
  const { ifreq } = context.table.structs
  const bytes = new Uint8Array(ifreq.size)
  bytes.set(encoder.encode("lo"), ifreq.name)
  new DataView(bytes.buffer).setInt16(ifreq.flags, context.table.constants.IFF_UP, true)
  return bytes
}

/**
 * The ops of one namespace step (the compiler hands "unshare" over once, with every namespace asked for).
 *
 * @example
 * ```ts
 * import type { RuleContext } from "./context.ts"
 *
 * declare const context: RuleContext
 * namespaceOps(context, { kind: "unshare", namespaces: ["network", "uts"] }).length // 1
 * ```
 */
export const namespaceOps = (context: RuleContext, step: NamespaceStep): ReadonlyArray<RuleOp> => {
  const { table: { syscalls: sys, constants: c }, layout, at } = context
  switch (step.kind) {
    case "user-namespace":
      return [
        ...writeFile(context, "/proc/self/setgroups", "deny", "user-namespace"),
        ...writeFile(context, "/proc/self/uid_map", refuseNul(step.uidMap, `${at}.uidMap`), "user-namespace"),
        ...writeFile(context, "/proc/self/gid_map", refuseNul(step.gidMap, `${at}.gidMap`), "user-namespace")
      ]
    case "unshare": {
      if (step.namespaces.length === 0) throw new ProgramError({ reason: "BadValue", subject: `${at}.namespaces`, detail: "no namespace named" })
      const flags = step.namespaces.reduce((all, namespace) => all | flagOf(context, namespace), 0)
      return [{ nr: sys.unshare, mode: Mode.check, args: [flags], stage: "unshare", subject: step.namespaces.join(", ") }]
    }
    case "hostname": {
      const bytes = encoder.encode(refuseNul(step.name, `${at}.name`))
      if (bytes.byteLength === 0 || bytes.byteLength > maxHostname) throw new ProgramError({ reason: "BadValue", subject: `${at}.name`, detail: `1 to ${maxHostname} bytes, got ${bytes.byteLength}` })
      return [{ nr: sys.sethostname, mode: Mode.check, args: [layout.bytes(bytes), bytes.byteLength], stage: "hostname", subject: step.name }]
    }
    case "loopback-up": {
      const socket = { slot: stepSlots.transient }
      return [
        { nr: sys.socket, mode: Mode.check, args: [c.AF_INET, c.SOCK_DGRAM | c.SOCK_CLOEXEC, 0], saveSlot: socket.slot, stage: "loopback-up", subject: "lo" },
        { nr: sys.ioctl, mode: Mode.check, args: [socket, c.SIOCSIFFLAGS, layout.bytes(loopbackRequest(context))], stage: "loopback-up", subject: "lo" },
        { nr: sys.close, mode: Mode.check, args: [socket], stage: "loopback-up", subject: "lo" }
      ]
    }
    default:
      return step satisfies never
  }
}
