/**
 * sandbox(): the strict default and its decoding, failing closed today (no
 * process starts), and its whole composed plan run for real by the reference
 * executor in namespaces unshare(1) made (pid-init and unshare are the
 * interpreter's), then attacked: secrets, writes outside, the network, the
 * supervisor's /proc entries, setuid(0).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { run } from "../../adapters/node/mod.ts"
import { composeFenceSteps } from "../../core/fence-compose.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { systemFenceHost } from "../../plugins/sandbox/plugin.ts"
import { decodeSandbox, sandbox, sandboxPlanner } from "../../plugins/sandbox/sandbox.ts"

const fixture = fileURLToPath(new URL("../fixtures/fence-steps.ts", import.meta.url))
const host = systemFenceHost(kernelFromLibc(nodeLibc()))
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

describe("sandbox() today", () => {
  it("fails the spawn with LauncherMissing and starts nothing", async () => {
    const marker = join(home, "ran")
    const error = await run(["touch", marker], { plugins: [sandbox()] }).then(() => undefined, (failure: unknown) => failure)
    expect(error).toMatchObject({ _tag: "FenceError", reason: "LauncherMissing", fence: "sandbox" })
    expect(existsSync(marker)).toBe(false)
  })

  it("fails the spawn with the option error first", async () => {
    const error = await run(["true"], { plugins: [sandbox({ network: "nope" as "none" })] }).then(() => undefined, (failure: unknown) => failure)
    expect(error).toMatchObject({ _tag: "FenceError", reason: "InvalidOption", path: "network" })
  })
})

describe("sandbox() plan, run for real", () => {
  it("composes one unshare, the pid init, mounts, identity and the Landlock domain in order", () => {
    const plan = Result.getOrThrow(sandboxPlanner()(Result.getOrThrow(decodeSandbox({ hostname: "box" }, home, "/opt/kakoi")), host))
    try {
      const steps = composeFenceSteps(plan.steps, host)
      if (typeof steps === "string") throw new Error(steps)
      const kinds = [...new Set(steps.map((step) => step.kind))]
      expect(kinds).toEqual(["unshare", "pid-init", "mount", "mount-attributes", "tmpfs", "hostname", "drop-bounding", "groups", "ids", "clear-capabilities", "landlock-restrict"])
      expect(steps[0]).toEqual({ kind: "unshare", namespaces: ["pid", "mount", "network", "uts"] })
    } finally {
      plan.release()
    }
  })

  it("leaves a root supervisor's child unable to read secrets, write the host, reach the network or see the supervisor", () => {
    const plan = Result.getOrThrow(sandboxPlanner()(Result.getOrThrow(decodeSandbox({}, home, "/opt/kakoi")), host))
    try {
      const steps = composeFenceSteps(plan.steps, host)
      if (typeof steps === "string") throw new Error(steps)
      // The supervisor's ruleset fd goes to the child as fd 3, as the launcher's fd phase passes it through.
      const ruleset = steps.find((step) => step.kind === "landlock-restrict")
      const runnable = steps.filter((step) => step.kind !== "unshare" && step.kind !== "pid-init")
        .map((step) => (step.kind === "landlock-restrict" ? { ...step, rulesetFd: 3 } : step))
      const probes = [
        { list: join(home, ".ssh") }, { read: "/etc/shadow" }, { write: "/etc/kakoi" }, { write: "/tmp/scratch" }, { write: join(home, "x") },
        { connect: port }, { read: `/proc/${process.pid}/status` }, { status: "Uid" }, { status: "CapEff" }, { setuid: 0 }, { write: "/dev/null" }
      ]
      const json = JSON.stringify({ steps: runnable, probes }, (_, value: unknown) => (typeof value === "bigint" ? { $bigint: String(value) } : value))
      const output = JSON.parse(execFileSync("unshare", ["--mount", "--pid", "--fork", "--net", "--", process.execPath, fixture, json], {
        encoding: "utf8", timeout: 20_000, stdio: ["ignore", "pipe", "inherit", ruleset?.kind === "landlock-restrict" ? ruleset.rulesetFd : "ignore"]
      })) as { readonly failure: unknown; readonly results: ReadonlyArray<string> }
      expect(output).toEqual({ failure: null, results: ["ENOENT", "EACCES", "EROFS", "ok", "EROFS", "ENETUNREACH", "ENOENT", "65534", "0000000000000000", "EPERM", "ok"] })
    } finally {
      plan.release()
    }
  })
})
