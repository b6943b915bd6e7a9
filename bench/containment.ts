/**
 * Containment and sandbox cost in the runtime running this file: spawn of
 * `/bin/true` to its exit at the default containment "namespaces" (a pid
 * namespace, its init, a Landlock domain, the namespace's own /proc) against
 * `containment: "process-group"` (nothing added),
 * against bubblewrap doing the same (`bwrap --unshare-pid --die-with-parent
 * --dev-bind / / /bin/true`), and against the runtime's own spawn; then
 * `sandbox()` defaults plus a seccomp policy against bwrap with the
 * equivalent flags (read-only host, private /tmp, minimal /dev, fresh /proc,
 * homes hidden, every namespace, no capabilities; bwrap gets no seccomp
 * filter, so the comparison favours it); and `sandbox()` with its capability
 * watch (a notify listener per child). Interleaved, same process.
 *
 * Run (default 50 runs, after 5 warm-up rounds):
 *   node bench/containment.ts [runs]
 *   deno run -A bench/containment.ts [runs]
 *   bun bench/containment.ts [runs]
 */
import { policy, run, seccomp } from "../mod.ts"
import { sandbox } from "../plugins/sandbox/mod.ts"
import { compare, machine, report, type Case } from "./measure.ts"
import { plainSpawn, plainSpawnName } from "./runtime.ts"

const runs = Number(process.argv[2] ?? 50)
const warmup = 5
const target = "/bin/true"

const kakoi = async (options: Parameters<typeof run>[1]): Promise<void> => {
  const result = await run([target], { ...options, stdio: "ignore" })
  if (result.exitCode !== 0) throw new Error(`kakoi run ${target} ended with ${result.signal ?? `exit code ${result.exitCode}`}`)
}

// Built once and reused, as in a long-lived supervisor.
const strict = sandbox()
const watched = sandbox({ diagnoseCapabilities: true })
const fence = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
const bwrapSandbox = [
  "bwrap", "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/root", "--tmpfs", "/home",
  "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--hostname", "sandbox", target
]

const cases: ReadonlyArray<Case> = [
  { label: `${plainSpawnName} ${target}`, task: () => plainSpawn([target]) },
  { label: `kakoi run, containment "process-group"`, task: () => kakoi({ containment: "process-group" }) },
  { label: `kakoi run, containment "namespaces" (the default)`, task: () => kakoi({}) },
  { label: "bwrap --unshare-pid --die-with-parent --dev-bind / /", task: () => plainSpawn(["bwrap", "--unshare-pid", "--die-with-parent", "--dev-bind", "/", "/", target]) },
  { label: "kakoi run, sandbox() + seccomp errno policy", task: () => kakoi({ plugins: [strict, fence] }) },
  { label: "kakoi run, sandbox({ diagnoseCapabilities: true }) + seccomp errno policy", task: () => kakoi({ plugins: [watched, fence] }) },
  { label: "bwrap, sandbox()'s equivalent flags (no seccomp)", task: () => plainSpawn(bwrapSandbox) }
]

report(`Containment and sandbox spawn latency, median of ${runs} runs (${machine()})`, await compare(cases, runs, warmup))
