/**
 * Issue 10's attacks, against kakoi as a user would call it with no
 * plugins. They pass with containment("namespaces") or sandbox()
 * (test/conformance/containment.ts runs them that way in all three
 * runtimes); they stay here until that level is the default.
 */
import { spawn as spawnProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { run, spawn } from "../../adapters/node/mod.ts"
import { goneWithin, prelude, python } from "./attack.ts"

const bin = fileURLToPath(new URL("../../cli/bin.ts", import.meta.url))
const pidsOf = (text: string): ReadonlyArray<number> => text.split(/\s+/).filter(Boolean).map(Number)

describe("descendants do not outlive their child", () => {
  it("a setsid grandchild is gone when the child exits", async () => {
    const result = await run(["sh", "-c", "setsid sleep 30 </dev/null >/dev/null 2>&1 & echo $!"])
    expect(await goneWithin(pidsOf(result.stdout), 2000)).toBe(true)
  })

  it("a double-forked grandchild is gone after kill()", async () => {
    const child = await spawn(["sh", "-c", "(sleep 30 </dev/null >/dev/null 2>&1 & echo $!); exec sleep 30"])
    const [line] = (await once(child.stdout!, "data")) as [Buffer]
    child.kill("SIGKILL")
    await child.result
    expect(await goneWithin(pidsOf(line.toString()), 2000)).toBe(true)
  })

  it("a grandchild in its own process group that ignores SIGTERM is gone after a graceful stop", async () => {
    const child = await spawn(["sh", "-c", "(trap '' TERM; exec setsid sh -c 'trap \"\" TERM; sleep 30') </dev/null >/dev/null 2>&1 & echo $!; exec sleep 30"])
    const [line] = (await once(child.stdout!, "data")) as [Buffer]
    child.kill("SIGTERM")
    await child.result
    expect(await goneWithin(pidsOf(line.toString()), 2000)).toBe(true)
  })

  it("a child that clears its parent-death signal is gone when kakoi run is SIGKILLed", async () => {
    const code = `${prelude}libc.prctl(1, 0, 0, 0, 0)\nprint(os.getpid(), flush=True)\ntime.sleep(30)`
    const kakoi = spawnProcess(process.execPath, [bin, "run", "--", ...python(code)], { stdio: ["ignore", "pipe", "inherit"] })
    const [line] = (await once(kakoi.stdout, "data")) as [Buffer]
    kakoi.kill("SIGKILL")
    await once(kakoi, "exit")
    expect(await goneWithin(pidsOf(line.toString()), 2000)).toBe(true)
  })
})

describe("a child cannot reach its supervisor", () => {
  const supervisor = process.pid

  it("cannot signal it", async () => {
    expect((await run(["sh", "-c", `kill -0 ${supervisor}`])).exitCode).not.toBe(0)
  })

  it("cannot open its /proc/<pid>/mem for writing", async () => {
    const result = await run(["sh", "-c", `exec 3>>/proc/${supervisor}/mem && echo opened`])
    expect(result.stdout).not.toContain("opened")
  })

  it("cannot ptrace it", async () => {
    const code = `${prelude}r = libc.ptrace(16, ${supervisor}, 0, 0)\nprint(r, ctypes.get_errno())\nif r == 0: libc.ptrace(17, ${supervisor}, 0, 0)`
    const result = await run(python(code))
    expect(result.stdout.trim().split(" ")[0]).toBe("-1")
  })

  it("cannot process_vm_readv its memory", async () => {
    const code = `${prelude}buf = ctypes.create_string_buffer(8)\nclass V(ctypes.Structure): _fields_ = [("b", ctypes.c_void_p), ("n", ctypes.c_size_t)]
local = V(ctypes.cast(buf, ctypes.c_void_p), 8)
start = int(open("/proc/${supervisor}/maps").readline().split("-")[0], 16)
remote = V(start, 8)
print(libc.process_vm_readv(${supervisor}, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0))`
    const result = await run(python(code))
    expect(result.stdout.trim()).toBe("-1")
  })

  it("cannot pidfd_getfd one of its fds", async () => {
    const code = `${prelude}pidfd = libc.syscall(434, ${supervisor}, 0)\nprint(libc.syscall(438, pidfd, 0, 0))`
    const result = await run(python(code))
    expect(result.stdout.trim()).toBe("-1")
  })
})
