/**
 * `kakoi doctor`'s text: one line per capability, "yes", "no" or "?" and the
 * reason, then the containment level `run` would use.
 */
import type { HostCapabilities, Verdict } from "./capabilities.ts"

const mark = (verdict: Verdict): string => (verdict.status === "yes" ? "yes" : verdict.status === "no" ? "no " : "?  ")

const line = (label: string, verdict: Verdict): string => `${label.padEnd(22)}${mark(verdict)}  ${verdict.reason}`

/**
 * The report as lines of text.
 *
 * @example
 * ```ts
 * import { formatCapabilities } from "./report.ts"
 * import type { HostCapabilities } from "./capabilities.ts"
 *
 * declare const host: HostCapabilities
 * formatCapabilities(host)[0] // "kernel                6.18.44 (x86_64), running as uid 0"
 * ```
 */
export const formatCapabilities = (host: HostCapabilities): ReadonlyArray<string> => {
  const { cgroup, containment } = host
  const location = cgroup.location === undefined
    ? "not found"
    : `${cgroup.location.path} (cgroup ${cgroup.location.cgroup}${cgroup.location.hybrid ? ", beside cgroup v1 hierarchies" : ""}); controllers: ${cgroup.location.controllers.join(" ") || "none"}; enabled for children: ${cgroup.location.subtreeControl.join(" ") || "none"}`
  return [
    `${"kernel".padEnd(22)}${host.kernel.release} (${host.kernel.arch}), running as uid ${host.euid ?? "?"}`,
    line("landlock", host.landlock.verdict),
    line("user namespaces", host.userNamespaces),
    line("pid namespaces", host.pidNamespaces),
    line("mount namespaces", host.mountNamespaces),
    line("network namespaces", host.networkNamespaces),
    `${"cgroup v2".padEnd(22)}${location}`,
    line("  delegated", cgroup.delegated),
    line("  cgroup.kill", cgroup.kill),
    line("notify (pidfd_getfd)", host.ptrace.notify),
    line("seccomp user notif", host.seccompUserNotification),
    line("io_uring", host.ioUring),
    // "namespaces" is every child's default (core/containment.ts): here is whether this host gives it.
    `${"containment".padEnd(22)}${containment.level === undefined ? "run fails by default (it asks for \"namespaces\")" : `run uses "${containment.level}" by default`}: ${containment.reason}`,
    line("  namespaces", containment.levels.namespaces),
    line("  cgroup", containment.levels.cgroup),
    line("  process-group", containment.levels["process-group"])
  ]
}
