/**
 * identity(), landlock(), cgroup(), containment() and a hostname: each
 * plugin's planned steps compiled into the child program and run for real by
 * the C harness (test/helpers/fence-run.ts), then attacked as the issue says:
 * setuid(0) after the drop, /etc/shadow and ~/.ssh, writes outside the
 * writable path (plain, through a symlink, through "..", by a hard link), a
 * cgroup the child cannot leave, a supervisor it cannot signal.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, existsSync, readFileSync, rmdirSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { dirname, join } from "node:path"
import { Effect, Layer, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer as nodeLayer } from "../../adapters/node/mod.ts"
import { nodeLibc } from "../../adapters/node/native.ts"
import { archTable } from "../../core/arch/mod.ts"
import { kernelFromLibc, KernelService } from "../../core/host/kernel.ts"
import type { Plugin } from "../../core/plugin.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { openCgroupManager } from "../../plugins/sandbox/cgroup/manager.ts"
import { cgroup } from "../../plugins/sandbox/cgroup/plugin.ts"
import { containment } from "../../plugins/sandbox/containment.ts"
import { identity } from "../../plugins/sandbox/identity.ts"
import { landlock } from "../../plugins/sandbox/landlock/plugin.ts"
import { explainFenceFailure } from "../../plugins/sandbox/explain.ts"
import { type FenceHost, type FencePlugin, type FencePluginError, systemFenceHost } from "../../plugins/sandbox/plugin.ts"
import type { SeccompLibrary } from "../../plugins/seccomp/library.ts"
import { seccomp } from "../../plugins/seccomp/plugin.ts"
import { asNobody, probeDirectory, runCommandFenced, runCommandFencedAsync, runFenced, removeProbe } from "../helpers/fence-run.ts"
import { alive, waitUntil } from "../helpers/processes.ts"

const kernel = kernelFromLibc(nodeLibc())
const root = systemFenceHost(kernel)
const nobody: FenceHost = { ...root, euid: 65534, egid: 65534 }
const stepsOf = (plugin: FencePlugin, host: FenceHost = root): ReadonlyArray<PreExecStep> => Result.getOrThrow(plugin.plan(host)).steps
let base = ""
let abstract: Server
const abstractName = `kakoi-fences-${process.pid}`

beforeAll(async () => {
  base = mkdtempSync("/var/tmp/kakoi-fences-")
  chmodSync(base, 0o755)
  mkdirSync(join(base, "job"))
  chmodSync(join(base, "job"), 0o777)
  mkdirSync(join(base, "home", ".ssh"), { recursive: true })
  writeFileSync(join(base, "home", ".ssh", "id_ed25519"), "private key")
  writeFileSync(join(base, "outside"), "outside", { mode: 0o666 })
  chmodSync(join(base, "outside"), 0o666)
  symlinkSync(join(base, "outside"), join(base, "job", "planted"))
  // A hard link made before the fence, to a file outside the writable hierarchy.
  linkSync(join(base, "outside"), join(base, "job", "linked"))
  // An abstract unix socket of a process outside every domain: the scope keeps the child from it.
  abstract = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => abstract.listen(`\0${abstractName}`, resolve))
})

afterAll(() => {
  abstract.close()
  rmSync(base, { recursive: true, force: true })
})

describe("identity()", () => {
  it("drops a root supervisor's child to nobody with no groups, no capabilities in any set, and no way back", () => {
    const { lines } = runFenced(stepsOf(identity({ user: "nobody", groups: [] })), [
      "status:Uid", "status:Gid", "status:Groups", "status:CapInh", "status:CapPrm", "status:CapEff", "status:CapBnd", "status:CapAmb", "status:NoNewPrivs",
      "setuid:0", "read:/etc/shadow"
    ])
    expect(lines).toEqual(["65534", "65534", "", ...Array<string>(5).fill("0000000000000000"), "1", "EPERM", "EACCES"])
  })

  it("clears a uid-0 child's capabilities: it stays uid 0 but can change no id", () => {
    const { lines } = runFenced(stepsOf(identity({})), ["status:Uid", "status:CapEff", "status:CapBnd", "setuid:1"])
    expect(lines).toEqual(["0", "0000000000000000", "0000000000000000", "EPERM"])
  })

  it("maps an unprivileged supervisor to uid 0 inside its own user namespace, with nothing of root's outside", () => {
    const { lines } = runFenced(stepsOf(identity({ map: { uid: 0, gid: 0 } }), nobody), ["status:Uid", "status:CapEff", "read:/etc/shadow", "write:/etc/kakoi-test"], asNobody)
    expect(lines).toEqual(["0", "0000000000000000", "EACCES", "EACCES"])
  })
})

describe("landlock() filesystem rules, from the supervisor's ruleset", () => {
  const job = () => join(base, "job")
  const rules = () => landlock({ filesystem: { read: ["/usr", "/lib", "/etc", probeDirectory()], execute: ["/usr", "/lib", probeDirectory()], write: [job()], make: [job()], remove: [job()] } })

  it.each(["root", "nobody"] as const)("lets the child write its hierarchy only, as %s", (as) => {
    const { lines } = runFenced(stepsOf(rules()), [
      `write:${job()}/out-${as}`, `read:${base}/home/.ssh/id_ed25519`, `write:${base}/escape-${as}`, `write:${job()}/../escape-${as}`,
      `write:${job()}/planted`, `write:${job()}/linked`, `link:${base}/outside:${job()}/hard-${as}`, "read:/etc/hostname", "write:/etc/kakoi-test", "list:/root"
    ], as === "root" ? undefined : asNobody)
    // The hard link made before the fence reaches the same inode, and Landlock rules are by hierarchy: it is writable.
    // That is why sandbox() uses a mount namespace for writes; here linking anew out of the hierarchy is refused.
    expect(lines).toEqual(["ok", "EACCES", "EACCES", "EACCES", "EACCES", "ok", "EXDEV", "ok", "EACCES", "EACCES"])
  })
})

describe("cgroup()", () => {
  it("puts the child into its own cgroup through the supervisor's fd, which it cannot leave once dropped to nobody", () => {
    const plugin = cgroup({}, undefined)
    const plan = Result.getOrThrow(plugin.plan(root))
    try {
      const location = Result.getOrThrow(openCgroupManager(kernel)).location
      const joined = plan.steps.find((step) => step.kind === "join-cgroup")
      const procs = joined?.kind === "join-cgroup" ? joined.path : "?"
      const { lines } = runFenced([...plan.steps, ...stepsOf(identity({ user: "nobody" }))], [`first:${procs}`, "status:Pid", "cgroup", `join:${location.path}/cgroup.procs`])
      // Its cgroup holds it (and nothing else).
      expect(lines[1]).toMatch(/^\d+$/)
      expect(lines[0]).toBe(lines[1])
      expect(lines.slice(2)).toEqual([procs.slice(location.mount.length, -"/cgroup.procs".length), "EACCES"])
      // From a user namespace of an unprivileged harness too: the kernel checks the rights of the fd's opener.
      const inNamespace = runFenced([{ kind: "user-namespace", uidMap: "65534 65534 1", gidMap: "65534 65534 1" }, ...plan.steps], [`first:${procs}`, "status:Pid"], asNobody)
      expect(inNamespace.lines[1]).toMatch(/^\d+$/)
      expect(inNamespace.lines[0]).toBe(inNamespace.lines[1])
      // A child that keeps root's capabilities could move itself out (a cgroup namespace stops that only where
      // cgroup2 is mounted with nsdelegate, which this host's is not): sandbox() drops it and mounts /sys read-only.
      expect(runFenced(plan.steps, [`join:${location.path}/cgroup.procs`]).lines).toEqual(["ok"])
    } finally {
      plan.release()
    }
  })
})

describe("a fence plugin's hooks", () => {
  it("plans in preExec and releases at the child's exit, the plan that holds the child's pid: its cgroup is gone", async () => {
    const plugin = cgroup({})
    const spec = {}
    const services = Layer.merge(nodeLayer, Layer.succeed(KernelService, kernel))
    // A spawn whose preExec ran but which never started: its plan must not be taken for the next child's.
    const abandoned = await Effect.runPromise(Effect.provide(plugin.preExec(spec), services))
    const steps = await Effect.runPromise(Effect.provide(plugin.preExec(spec), services))
    const procsOf = (planned: ReadonlyArray<PreExecStep>): string => planned.flatMap((step) => (step.kind === "join-cgroup" ? [step.path] : []))[0] ?? "?"
    const procs = procsOf(steps)
    const running = runCommandFencedAsync(steps, ["/bin/sleep", "1"])
    expect(await waitUntil(() => readFileSync(procs, "utf8").trim() !== "", 2000)).toBe(true)
    const pid = Number(readFileSync(procs, "utf8").trim())
    await Effect.runPromise(plugin.exec({ pid, spec }))
    const { run } = await running
    await Effect.runPromise(plugin.exit({ pid, exitCode: run.status >> 8, signal: undefined, durationMs: 1, diagnosis: undefined }, spec))
    expect([existsSync(procs), existsSync(procsOf(abandoned))]).toEqual([false, true])
    rmdirSync(dirname(procsOf(abandoned)))
  })
})

describe("containment() levels", () => {
  it("'cgroup' ends a setsid'd grandchild that outlived the child when the plan is released", async () => {
    const plan = Result.getOrThrow(containment("cgroup").plan(root))
    let grandchild = 0
    try {
      const { lines } = runCommandFenced(plan.steps, ["/bin/sh", "-c", "setsid sleep 60 >/dev/null 2>&1 & echo $!"])
      grandchild = Number(lines[0])
      expect(alive(grandchild)).toBe(true)
    } finally {
      plan.release()
    }
    expect(await waitUntil(() => !alive(grandchild), 2000)).toBe(true)
  })

  it.each(["root", "nobody"] as const)("'namespaces' ends a setsid'd grandchild with the child, as %s", (as) => {
    const marker = `kakoi-fences-${process.pid}-${as}`
    // The marker is spelled out only in the grandchild's command line (the script holds "$m"), so pgrep finds only it.
    const script = `m=${marker}; setsid sh -c "sleep 60; : $m" >/dev/null 2>&1 & sleep 0.2; pgrep -f "sleep 60; : $m" >/dev/null && echo running`
    const { lines } = runCommandFenced(stepsOf(containment("namespaces"), as === "root" ? root : nobody), ["/bin/sh", "-c", script], as === "root" ? undefined : asNobody)
    expect(lines).toEqual(["running"])
    // pgrep exits 1 when nothing matches.
    expect(() => execFileSync("pgrep", ["-f", `sleep 60; : ${marker}`])).toThrow()
  })

  it("'process-group' adds no step: today's behaviour, chosen explicitly", () => {
    expect(stepsOf(containment("process-group"))).toEqual([])
  })
})

describe("containment() and a hostname", () => {
  it.each(["root", "nobody"] as const)("runs the target as pid 2 of its namespace in a Landlock domain, with its own hostname, as %s", (as) => {
    const host = as === "root" ? root : nobody
    const steps: ReadonlyArray<PreExecStep> = [
      ...stepsOf(containment("namespaces"), host),
      ...(as === "root" ? [] : [{ kind: "user-namespace", uidMap: "65534 65534 1", gidMap: "65534 65534 1" } as const]),
      { kind: "unshare", namespaces: ["uts"] }, { kind: "hostname", name: "sandbox" }
    ]
    const { lines, run } = runFenced(steps, ["hostname", "status:NSpid", `unix-abstract:${abstractName}`], as === "root" ? undefined : asNobody)
    expect(lines[0]).toBe("sandbox")
    expect(run.decoded.targetStatus).toBe(0)
    // The abstract socket scope refuses a connect to a socket outside the domain; without it the connect works.
    expect(lines[2]).toBe("EPERM")
    expect(runFenced([], [`unix-abstract:${abstractName}`]).lines).toEqual(["ok"])
  })
})

describe("fence plugins with other plugins", () => {
  it("fit one plugin list with seccomp(), and explain a refused namespace", () => {
    // A compile-time check above all: the list type-checks (Plugin's variance, the spec taken as unknown).
    const plugins: ReadonlyArray<Plugin<FencePluginError, KernelService | SeccompLibrary>> = [
      seccomp({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdirat"] }] }), identity({ user: "nobody" }), containment("namespaces")
    ]
    expect(plugins.map((plugin) => plugin.name)).toEqual(["seccomp", "identity", "containment"])
    expect(explainFenceFailure("user-namespace", archTable().errno.EPERM, 1000)?.message).toBe(
      'The containment fence cannot be enforced on this host (user namespaces): unprivileged user namespaces are refused (a sysctl, AppArmor\'s restriction, or an outer container\'s seccomp profile); run kakoi doctor to see which, or choose containment: "process-group"'
    )
  })
})

afterAll(removeProbe)
