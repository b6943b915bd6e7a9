/** `kakoi run`'s sandbox flags and a tree's "sandbox" key: what sandbox() options they mean, and real runs under them. */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { sandboxFromFlags } from "../../cli/sandbox-flags.ts"
import { bin, kakoi } from "./kakoi.ts"

const none = { ro: [], rw: [], hide: [] }

describe("sandbox flags", () => {
  it("mean nothing when none is given", () => {
    expect(sandboxFromFlags(none)).toBeUndefined()
  })

  it("map to sandbox() options", () => {
    expect(sandboxFromFlags({ ...none, sandbox: true })).toEqual({})
    expect(sandboxFromFlags({ ro: ["/usr", "/lib"], rw: ["/tmp/job"], hide: ["~/.ssh"], net: "tcp:443,80", user: "1000:100", hostname: "box", memory: "512M", pids: "64", cpu: "0.5", containment: "cgroup" })).toEqual({
      filesystem: { read: ["/usr", "/lib"], write: ["/tmp/job"], hide: ["~/.ssh"] },
      network: { connect: [443, 80] },
      user: { uid: 1000, gid: 100 },
      hostname: "box",
      limits: { memory: "512M", pids: 64, cpu: "0.5" },
      containment: "cgroup"
    })
    expect(sandboxFromFlags({ ...none, rw: ["/tmp/job"], user: "nobody" })).toEqual({ filesystem: { write: ["/tmp/job"] }, user: "nobody" })
    expect(sandboxFromFlags({ ...none, cap: ["CAP_NET_RAW"], "diagnose-caps": true })).toEqual({ capabilities: ["CAP_NET_RAW"], diagnoseCapabilities: true })
  })

  it("kakoi run --cap keeps one capability, --diagnose-caps names the one a failed call lacked, a wrong name is a usage error", () => {
    expect(kakoi(["run", "--cap", "CAP_NET_BIND_SERVICE", "--", "sh", "-c", "grep -E '^Cap(Eff|Amb)' /proc/self/status | cut -f2"]).stdout).toBe("0000000000000400\n0000000000000400\n")
    expect(kakoi(["run", "--diagnose-caps", "--", "/usr/bin/python3", "-c", "import os; os.setuid(0)"])).toMatchObject({
      status: 1, stderr: expect.stringContaining('kakoi: A call failed for lack of a capability: "setuid" needs CAP_SETUID, which the child does not hold: /usr/bin/python3')
    })
    expect(kakoi(["run", "--cap", "NET_RAW", "--", "true"])).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown capability "NET_RAW": did you mean "CAP_NET_RAW" or "net_raw"?') })
  })

  it("kakoi run --sandbox --hostname runs the command in the sandbox: read-only host, home hidden, its own hostname and pid namespace", () => {
    const script = "hostname; ls -A /root | wc -l; (echo x > /etc/kakoi-probe) 2>/dev/null || echo read-only; echo $$"
    expect(kakoi(["run", "--sandbox", "--hostname", "box", "--", "sh", "-c", script])).toMatchObject({ status: 0, stdout: "box\n0\nread-only\n2\n" })
  })

  it("kakoi run --net none leaves the child only its own (down) loopback; --containment process-group keeps the host's pid namespace", () => {
    expect(kakoi(["run", "--net", "none", "--", "sh", "-c", "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '"]).stdout).toBe("lo\n")
    expect(kakoi(["run", "--containment", "process-group", "--", "sh", "-c", "test $$ -gt 2 && echo host"]).stdout).toBe("host\n")
  })

  it("a tree's \"sandbox\" key becomes sandbox(): the worker sees its own hostname", async () => {
    const tree = join(mkdtempSync(join(tmpdir(), "kakoi-tree-")), "tree.json")
    writeFileSync(tree, JSON.stringify({ name: "t", children: [{ name: "w", argv: ["sh", "-c", "hostname; exec sleep 30"], sandbox: { hostname: "treebox" } }] }))
    const running = spawn(process.execPath, [bin, "supervise", tree], { stdio: ["ignore", "pipe", "inherit"] })
    let seen = ""
    // Keep reading to the end (a closed pipe would make kakoi's next line an EPIPE).
    await new Promise<void>((resolve) => running.stdout.on("data", (chunk: Buffer) => (seen += chunk.toString()).includes("t/w | treebox\n") && resolve()))
    running.kill("SIGINT")
    const [status] = (await once(running, "exit")) as [number | null]
    // Stopped promptly and cleanly: the contained worker's init took the stop signal.
    expect([seen.includes("t/w | treebox\n"), status]).toEqual([true, 0])
  })

  it("a bad flag value is a usage error (exit 2) naming the option", () => {
    expect(kakoi(["run", "--net", "loopbak", "--", "true"])).toMatchObject({
      status: 2,
      stderr: 'kakoi: Invalid sandbox option at network: Unknown value "loopbak": did you mean "loopback"?\n'
    })
    expect(kakoi(["run", "--pids", "many", "--", "true"])).toMatchObject({
      status: 2,
      stderr: "kakoi: --pids many: expected a whole number of processes, e.g. 64\nTry 'kakoi run --help' for more information\n"
    })
    expect(kakoi(["run", "--pids", "0", "--", "true"]).stderr).toContain("Invalid sandbox option at limits.pids: expected a whole number from 1 to 4194304, got 0")
  })
})
