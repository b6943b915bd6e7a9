/**
 * sandbox(): the strict default and its decoding, its preExec steps, and its
 * whole composed plan compiled into the child program and run for real by
 * the C harness (test/helpers/fence-run.ts), as root and as nobody in its own
 * user namespace, then attacked: secrets, writes outside, the network, the
 * supervisor's /proc entries, setuid(0); and 20 Python one-liners at once.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { join } from "node:path"
import { Effect, Layer, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { layer as nodeLayer } from "../../adapters/node/mod.ts"
import { kernelFromLibc, KernelService } from "../../core/host/kernel.ts"
import { orderSteps } from "../../core/steps.ts"
import { systemFenceHost } from "../../plugins/sandbox/plugin.ts"
import { decodeSandbox, sandbox, sandboxPlanner } from "../../plugins/sandbox/sandbox.ts"
import { asNobody, runCommandFencedAsync, runFenced, removeProbe, probeDirectory } from "../helpers/fence-run.ts"

const kernel = kernelFromLibc(nodeLibc())
const root = systemFenceHost(kernel)
let home = ""
let server: Server
let port = 0

beforeAll(async () => {
  // Not under /tmp: the private /tmp would cover it, and the test is that hiding works by itself.
  home = mkdtempSync("/var/tmp/kakoi-home-")
  mkdirSync(join(home, ".ssh"))
  writeFileSync(join(home, ".ssh", "id_ed25519"), "private key")
  server = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as { readonly port: number }).port
})

afterAll(() => {
  server.close()
  rmSync(home, { recursive: true, force: true })
})

describe("sandbox() options", () => {
  it("defaults to a read-only host, private /tmp, minimal /dev, fresh /proc, no network, home hidden", () => {
    const config = Result.getOrThrow(decodeSandbox({}, "/home/ada", "/opt/kakoi"))
    expect(config).toMatchObject({
      containment: "namespaces",
      mounts: { root: "read-only-host", writable: [], tmpfs: ["/tmp"], hide: ["/home/ada", "/home", "/root", "/opt/kakoi"], proc: true, dev: "minimal" },
      network: "none",
      identity: { user: "keep", keep: [] },
      userDefaulted: true
    })
  })

  it("shows only what an object filesystem lists, and does not hide what it shows", () => {
    const config = Result.getOrThrow(decodeSandbox({ filesystem: { read: ["/usr", "~/project"], write: ["/tmp/job-42"], hide: ["~/.ssh"] } }, "/home/ada", "/opt/kakoi"))
    expect(config.mounts).toMatchObject({ root: "empty", readOnly: ["/usr", "/home/ada/project"], writable: ["/tmp/job-42"], hide: ["/home/ada/.ssh", "/root", "/opt/kakoi"] })
  })

  it.each([
    [{ netwrok: "none" }, 'Invalid sandbox option at netwrok: Unknown option "netwrok": did you mean "network"?'],
    [{ network: { connect: [70000] } }, "Invalid sandbox option at network.connect[0]: expected a whole number from 1 to 65535, got 70000"],
    [{ limits: { memory: "lots" } }, 'Invalid sandbox option at limits.memory: expected a size above 0 such as 536870912, "512M" or "2G", got "lots"'],
    [{ filesystem: { read: ["usr"] } }, 'Invalid sandbox option at filesystem.read[0]: expected an absolute path, got "usr"; start it with "/" or "~/"'],
    [{ containment: "pid" }, 'Invalid sandbox option at containment: Unknown value "pid"; use "namespaces", "cgroup", "process-group"'],
    [{ hostname: "" }, 'Invalid sandbox option at hostname: expected a non-empty string, got ""']
  ])("rejects %j", (options, message) => {
    const result = decodeSandbox(options, "/home/ada", "/opt/kakoi")
    expect(Result.isFailure(result) && result.failure.message).toBe(message)
  })
})

describe("sandbox() as a plugin", () => {
  it("fails the spawn with the option error first", async () => {
    const error = await Effect.runPromise(Effect.flip(sandbox({ network: "nope" as "none" }).spawn({})))
    expect(error).toMatchObject({ _tag: "FenceError", reason: "InvalidOption", path: "network" })
  })

  it("returns its steps from preExec, in the order the child program runs them", async () => {
    const services = Layer.merge(nodeLayer, Layer.succeed(KernelService, kernel))
    const plugin = sandbox({ hostname: "box" }, home)
    const steps = await Effect.runPromise(Effect.provide(plugin.preExec({}), services))
    const kinds = [...new Set(orderSteps(steps).map((step) => step.kind))]
    expect(kinds).toEqual(["unshare", "pid-namespace", "mount", "mount-attributes", "tmpfs", "hostname", "drop-bounding", "groups", "ids", "clear-capabilities", "no-new-privs", "landlock"])
    expect([...new Set(steps.flatMap((step) => (step.kind === "unshare" ? step.namespaces : [])))]).toEqual(["mount", "network", "uts"])
    // The release of what the plan holds waits for the child's exit.
    await Effect.runPromise(plugin.exec({ pid: 1, spec: {} }))
  })
})

describe.each(["root", "nobody"] as const)("sandbox() run for real, supervisor %s", (as) => {
  const host = as === "root" ? root : { ...root, euid: 65534, egid: 65534 }
  const planned = () => Result.getOrThrow(sandboxPlanner()(Result.getOrThrow(decodeSandbox({}, home, "/opt/kakoi")), host))

  it("leaves the child unable to read secrets, write the host, reach the network or see the supervisor", () => {
    const plan = planned()
    try {
      const { lines, run } = runFenced(plan.steps, [
        `list:${home}/.ssh`, `read:${home}/.ssh/id_ed25519`, "read:/etc/shadow", "write:/etc/kakoi", "write:/tmp/scratch", `write:${home}/x`,
        `connect:${port}`, `read:/proc/${process.pid}/status`, "status:Uid", "status:CapEff", "setuid:0", "write:/dev/null", "list:/dev",
        "join:/sys/fs/cgroup/unified/cgroup.procs"
      ], as === "root" ? undefined : asNobody)
      expect(run.decoded.failure).toBeUndefined()
      expect(lines).toEqual([
        "ENOENT", "ENOENT", "EACCES", "EROFS", "ok", "EROFS", "ENETUNREACH", "ENOENT", "65534", "0000000000000000",
        // uid 0 exists only outside the user namespace of an unprivileged supervisor's child.
        as === "root" ? "EPERM" : "EINVAL", "ok",
        "fd,full,null,random,shm,stderr,stdin,stdout,tty,urandom,zero", "EROFS"
      ])
    } finally {
      plan.release()
    }
  })

  it("with an object filesystem shows only what it lists, a fresh /proc of its own and a writable job directory", () => {
    const job = mkdtempSync("/var/tmp/kakoi-job-")
    chmodSync(job, 0o777)
    const options = { filesystem: { read: ["/usr", probeDirectory()], write: [job] }, hostname: "box" }
    const plan = Result.getOrThrow(sandboxPlanner()(Result.getOrThrow(decodeSandbox(options, home, "/opt/kakoi")), host))
    try {
      const { lines, run } = runFenced(plan.steps, ["list:/", `write:${job}/out`, "write:/usr/x", "list:/proc/1/task", "list:/proc/2/task", "status:NSpid", "hostname", "read:/etc/passwd"], as === "root" ? undefined : asNobody)
      expect(run.decoded.failure).toBeUndefined()
      // The fresh /proc is the child's pid namespace's (it is pid 2), hidepid=ptraceable: its init is not there.
      expect(lines).toEqual(["dev,proc,tmp,usr,var", "ok", "EROFS", "ENOENT", "2", "2", "box", "ENOENT"])
    } finally {
      plan.release()
      rmSync(job, { recursive: true, force: true })
    }
  })

  it("lets 20 Python one-liners at once do their arithmetic, and nothing else", async () => {
    const plans = Array.from({ length: 20 }, planned)
    try {
      const script = "import os, socket\nprint(sum(range(101)))\nfor f in (lambda: open('/etc/shadow'), lambda: open('/etc/x', 'w'), lambda: socket.create_connection(('127.0.0.1', PORT))):\n  try: f(); print('escaped')\n  except OSError as e: print(e.errno)"
      const runs = await Promise.all(plans.map((plan) => runCommandFencedAsync(plan.steps, ["python3", "-c", script.replace("PORT", String(port))], as === "root" ? undefined : asNobody)))
      for (const { lines } of runs) expect(lines).toEqual(["5050", "13", "30", "101"])
    } finally {
      for (const plan of plans) plan.release()
    }
  })
})

afterAll(removeProbe)
