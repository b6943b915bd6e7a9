/**
 * The cgroup v2 manager on this host (root; cgroup v1 hybrid with a cgroup2
 * mount at /sys/fs/cgroup/unified that offers no controller but hugetlb): a
 * cgroup per child (joined by the child itself through the supervisor's fd:
 * test/sandbox/fences.test.ts runs that step for real), cgroup.kill ending a tree whose grandchild called setsid(), and the typed
 * errors for a missing controller and for no delegation. What cannot be
 * tested here: memory.max, memory.swap.max, pids.max and cpu.max on a real
 * cgroup (no memory, pids or cpu controller in v2 on this machine); their
 * file values and the events parsing are unit-tested.
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { decodeLimits, limitHit } from "../../plugins/sandbox/cgroup/limits.ts"
import { openCgroupManager } from "../../plugins/sandbox/cgroup/manager.ts"
import { alive, waitUntil } from "../helpers/processes.ts"

const kernel = kernelFromLibc(nodeLibc())
const manager = Result.getOrThrow(openCgroupManager(kernel))

describe("cgroup manager", () => {
  it("finds the supervisor's cgroup v2 beside the v1 hierarchies", () => {
    expect(manager.location).toMatchObject({ mount: "/sys/fs/cgroup/unified", cgroup: "/", path: "/sys/fs/cgroup/unified", hybrid: true, controllers: ["hugetlb"] })
  })

  it("remove() kills a live tree and waits until the cgroup can go, in one call", async () => {
    const { cgroup } = Result.getOrThrow(manager.create({ files: [], controllers: [] }))
    const shell = spawn("sh", ["-c", "read go; sleep 100 & sleep 100 & echo started; wait"], { stdio: ["pipe", "pipe", "inherit"] })
    writeFileSync(`${cgroup.path}/cgroup.procs`, String(shell.pid))
    shell.stdin.write("go\n")
    await new Promise((resolve) => shell.stdout.once("data", resolve))
    const pids = cgroup.pids()
    expect(pids).toHaveLength(3)
    expect(cgroup.remove()).toBe(0)
    expect([existsSync(cgroup.path), pids.some(alive)]).toEqual([false, false])
  })


  it("cgroup.kill ends the whole tree, a setsid grandchild included, and the cgroup is removed", async () => {
    const { cgroup } = Result.getOrThrow(manager.create({ files: [], controllers: [] }))
    const shell = spawn("sh", ["-c", "read go; setsid sleep 100 & sleep 100 & echo started; wait"], { stdio: ["pipe", "pipe", "inherit"] })
    writeFileSync(`${cgroup.path}/cgroup.procs`, String(shell.pid))
    shell.stdin.write("go\n")
    await new Promise((resolve) => shell.stdout.once("data", resolve))
    expect(await waitUntil(() => cgroup.pids().length === 3, 2000)).toBe(true)
    const pids = cgroup.pids()
    expect(cgroup.kill()).toBe(0)
    expect(await waitUntil(() => pids.every((pid) => !alive(pid)), 2000)).toBe(true)
    expect(cgroup.remove()).toBe(0)
    expect(existsSync(cgroup.path)).toBe(false)
  })

  it("refuses a memory limit with ControllerMissing where v2 has no memory controller", () => {
    const result = manager.create(Result.getOrThrow(decodeLimits({ memory: "64M" })))
    expect(Result.isFailure(result) && result.failure.reason).toBe("ControllerMissing")
    if (Result.isFailure(result)) expect(result.failure.message).toContain('"memory" is not in cgroup.controllers (hugetlb); this host mounts cgroup v1 too')
  })

  it("says NoDelegation to a supervisor that may not write its cgroup", () => {
    const manager = new URL("../../plugins/sandbox/cgroup/manager.ts", import.meta.url).href
    const kernel = new URL("../../core/host/kernel.ts", import.meta.url).href
    const native = new URL("../../adapters/node/native.ts", import.meta.url).href
    const script = `const { openCgroupManager } = await import(${JSON.stringify(manager)}); const { kernelFromLibc } = await import(${JSON.stringify(kernel)});
      const { nodeLibc } = await import(${JSON.stringify(native)}); const result = openCgroupManager(kernelFromLibc(nodeLibc()));
      console.log(JSON.stringify(result.failure ? { reason: result.failure.reason, message: result.failure.message } : "opened"))`
    const output = execFileSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(JSON.parse(output)).toEqual({
      reason: "NoDelegation",
      message: 'No cgroup v2 to manage for the cgroup fence (/sys/fs/cgroup/unified): the supervisor may not write it; run the supervisor in a delegated cgroup (systemd: Delegate=yes; systemd-run --user --scope -p Delegate=yes ...), or pass the directory of one'
    })
  })
})

describe("cgroup limits", () => {
  it("turns sizes, pids and CPUs into control file values, swap off with a memory limit", () => {
    expect(Result.getOrThrow(decodeLimits({ memory: "512M", pids: 64, cpu: 1.5 }))).toEqual({
      files: [["memory.max", "536870912"], ["memory.swap.max", "0"], ["pids.max", "64"], ["cpu.max", "150000 100000"]],
      controllers: ["memory", "pids", "cpu"]
    })
    expect(Result.getOrThrow(decodeLimits({ memory: 1024n, swap: "1G" })).files).toEqual([["memory.max", "1024"], ["memory.swap.max", "1073741824"]])
  })

  it("rejects what cannot be a limit, with its path", () => {
    const messages = [{ memory: "lots" }, { pids: 0 }, { cpu: 0 }, { memroy: "1G" }].map((input) => {
      const result = decodeLimits(input)
      return Result.isFailure(result) ? result.failure.message : "accepted"
    })
    expect(messages).toEqual([
      'Invalid cgroup option at memory: expected a size above 0 such as 536870912, "512M" or "2G", got "lots"',
      "Invalid cgroup option at pids: expected a whole number from 1 to 4194304, got 0",
      "Invalid cgroup option at cpu: expected a number of CPUs above 0 such as 1 or 0.5, got 0",
      'Invalid cgroup option at memroy: Unknown option "memroy": did you mean "memory"?'
    ])
  })

  it("tells an OOM kill and a pid-limit hit from the event counters", () => {
    expect(limitHit("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n", "max 0\n")).toBe("memory")
    expect(limitHit("oom 0\noom_kill 0\n", "max 7\n")).toBe("pids")
    expect(limitHit("oom_kill 0\n", "max 0\n")).toBeUndefined()
  })
})
