/**
 * Containment level "namespaces" (issue 10) through run() and spawn(), for any
 * adapter: grandchildren that setsid, double-fork, leave the process group,
 * ignore SIGTERM or clear their parent-death signal are gone after the child
 * exits, after kill(), after a graceful stop and after a SIGKILL of the
 * supervising process; a child under a policy that allows everything cannot
 * signal, ptrace, process_vm_readv, pidfd_getfd or open /proc/<pid>/mem of its
 * supervisor; exit data and the pid the target sees. Escapees are found by a
 * marker in their argv (inside the namespace they know only their inner pids).
 */
import { spawn as spawnProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { containment } from "../../plugins/sandbox/containment.ts"
import { seccomp, type PolicyJson, type RuleJson } from "../../plugins/seccomp/mod.ts"
import { constants } from "../../core/arch/generic.ts"
import { noneLeft, tagged, waitUntil } from "../helpers/processes.ts"

export interface ContainmentApi {
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
  readonly spawn: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<{
    readonly pid: number
    readonly stdout: unknown
    readonly kill: (signal: "SIGTERM" | "SIGKILL") => boolean
    readonly result: Promise<RunResult>
  }>
  readonly supervise: (spec: any) => Promise<{ readonly stop: () => Promise<void> }>
}

/** The supervisor fixture run under a policy that refuses namespaces: prints the error of a contained run. */
export const refusedFixture: string = fileURLToPath(new URL("../fixtures/contained-refused.ts", import.meta.url))

/** The supervisor fixture: a contained child and its setsid grandchild, both clearing their parent-death signal. */
export const escaperFixture: string = fileURLToPath(new URL("../fixtures/contained-escaper.ts", import.meta.url))

const text = (output: unknown): string => (typeof output === "string" ? output : new TextDecoder().decode(output as Uint8Array))

const { CLONE_NEWUSER, CLONE_NEWPID } = constants
let serial = 0
const markerOf = (): string => `kakoi-contained-${process.pid}-${++serial}`
/** The default: no option and no plugin chooses the level. */
const contained = {}
const python = (code: string): ReadonlyArray<string> => ["/usr/bin/python3", "-c", `import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n${code}`]

/** Reads a spawned child's stdout until it has printed a line. */
const firstLine = async (stdout: unknown): Promise<string> => {
  for await (const chunk of stdout as AsyncIterable<Uint8Array | string>) return text(chunk)
  return ""
}

/**
 * Registers the suite; `supervisor(marker)` is the argv that runs
 * `escaperFixture` in the runtime under test with arguments `<runtime> <marker>`.
 */
export const containmentSuite = (
  runtime: string,
  api: ContainmentApi,
  supervisor: (marker: string) => ReadonlyArray<string>,
  refusing: ReadonlyArray<string>
): void => {
  describe(`containment (by default "namespaces") on ${runtime}: a host that refuses namespaces`, () => {
    const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    it.each([
      ["root", [], "namespaces): creating namespaces is refused (an outer container's seccomp profile or an LSM)"],
      ["nobody", asNobody, "user namespaces): unprivileged user namespaces are refused (a sysctl, AppArmor's restriction, or an outer container's seccomp profile)"]
    ] as const)("fails the spawn with a FenceError naming what is refused, supervisor %s under a policy denying CLONE_NEWUSER/CLONE_NEWPID (as Docker's does)", async (_, prefix, what) => {
      // Docker's default profile: clone with a namespace flag fails EPERM, clone3 (whose flags seccomp cannot see) ENOSYS.
      const rules: ReadonlyArray<RuleJson> = [
        ...[CLONE_NEWUSER, CLONE_NEWPID].map((flag): RuleJson => ({ action: "errno", errno: "EPERM", syscalls: ["clone"], args: [{ index: 0, op: "masked==", mask: `0x${flag.toString(16)}`, value: `0x${flag.toString(16)}` }] }) as RuleJson),
        { action: "errno", errno: "ENOSYS", syscalls: ["clone3", "unshare"] }
      ]
      const result = await api.run([...prefix, ...refusing], { plugins: [seccomp({ default: "allow", rules } as PolicyJson)] })
      expect(JSON.parse(text(result.stdout))).toEqual({
        _tag: "FenceError",
        reason: "Unsupported",
        fence: "containment",
        message: `The containment fence cannot be enforced on this host (${what}; run kakoi doctor to see which, or choose containment: "process-group"`
      })
    })
  })

  describe(`containment (by default "namespaces") on ${runtime}: no descendant outlives its child`, () => {
    it("containment(\"namespaces\") as a plugin is the same level, and an option beside it is refused before anything starts", async () => {
      const result = await api.run(["sh", "-c", "echo $$"], { plugins: [containment("namespaces")] })
      expect(text(result.stdout)).toBe("2\n")
      const both = await api.run(["true"], { plugins: [containment("namespaces")], containment: "process-group" }).catch((error: unknown) => error)
      expect(both).toMatchObject({ _tag: "SpawnError", reason: "InvalidSpec" })
    })

    it("a setsid grandchild is gone when the child exits, and the exit data is the target's", async () => {
      const marker = markerOf()
      const result = await api.run(["sh", "-c", `setsid sh -c 'sleep 30' ${marker} </dev/null >/dev/null 2>&1 & echo $$; exit 3`], contained)
      expect([result.exitCode, result.signal, text(result.stdout)]).toEqual([3, undefined, "2\n"])
      expect(await noneLeft(marker)).toBe(true)
    })

    it("a double-forked grandchild in another process group is gone after kill()", async () => {
      const marker = markerOf()
      const child = await api.spawn(["sh", "-c", `(set -m; sh -c 'sleep 30' ${marker} </dev/null >/dev/null 2>&1 &); echo up; exec sleep 30`], contained)
      await firstLine(child.stdout)
      // The subshell that forked the grandchild carries the marker in its argv until it has exited: wait for it.
      expect(await waitUntil(() => tagged(marker).length === 1, 2000)).toBe(true)
      child.kill("SIGKILL")
      expect((await child.result).signal).toBe("SIGKILL")
      expect(await noneLeft(marker)).toBe(true)
    })

    it("a setsid grandchild that ignores SIGTERM is gone after a graceful stop; the target's SIGTERM is the exit", async () => {
      const marker = markerOf()
      const child = await api.spawn(["sh", "-c", `(trap '' TERM; exec setsid sh -c 'trap "" TERM; sleep 30' ${marker}) </dev/null >/dev/null 2>&1 & echo up; exec sleep 30`], contained)
      await firstLine(child.stdout)
      child.kill("SIGTERM")
      expect((await child.result).signal).toBe("SIGTERM")
      expect(await noneLeft(marker)).toBe(true)
    })

    it("a supervised worker's setsid grandchild that ignores SIGTERM and holds the output pipe is gone after stop(), which returns promptly", async () => {
      const marker = markerOf()
      const script = `(trap '' TERM; exec setsid sh -c 'trap "" TERM; sleep 30' ${marker}) & echo up; exec sleep 30`
      const tree = await api.supervise({ name: "t", children: [{ name: "w", argv: ["sh", "-c", script], ready: { kind: "line", pattern: /^up$/ } }] })
      expect(await waitUntil(() => tagged(marker).length > 0, 2000)).toBe(true)
      const stoppedAt = Date.now()
      await tree.stop()
      // The worker ends at SIGTERM; its init's end kills the grandchild, which closes the pipe: no 5 s stop timeout.
      expect(Date.now() - stoppedAt).toBeLessThan(3000)
      expect(await noneLeft(marker)).toBe(true)
    })

    it("a child and grandchild that clear their parent-death signal are gone when the supervisor is SIGKILLed", async () => {
      const marker = markerOf()
      const [command = "", ...args] = supervisor(marker)
      const host = spawnProcess(command, args, { stdio: ["ignore", "pipe", "inherit"] })
      await once(host.stdout, "data")
      // The supervisor, the init (it shares the supervisor's memory, so its argv), the child and the grandchild.
      expect(await waitUntil(() => tagged(marker).length === 4, 2000)).toBe(true)
      host.kill("SIGKILL")
      await once(host, "exit")
      expect(await noneLeft(marker)).toBe(true)
    })
  })

  describe(`containment (by default "namespaces") on ${runtime}: a child cannot reach its supervisor`, () => {
    const supervisor = process.pid

    it("cannot signal it (it is not even in the child's pid namespace)", async () => {
      expect((await api.run(python(`print(libc.kill(${supervisor}, 0), ctypes.get_errno())`), contained)).stdout).toBe("-1 3\n")
    })

    it("cannot open its /proc/<pid>/mem for writing, ptrace it, read its memory or take its fds", async () => {
      const code = `import errno
def show(r): return "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()]
# The child's /proc is its own pid namespace's; as root it can take it away and see the host's beneath.
if os.geteuid() == 0 and libc.umount2(b"/proc", 2) != 0: raise SystemExit("umount /proc failed")
try:
    open("/proc/${supervisor}/mem", "r+b"); mem = "ok"
except OSError as e: mem = errno.errorcode[e.errno]
buf = ctypes.create_string_buffer(8)
class V(ctypes.Structure): _fields_ = [("b", ctypes.c_void_p), ("n", ctypes.c_size_t)]
local = V(ctypes.cast(buf, ctypes.c_void_p), 8)
remote = V(ctypes.cast(buf, ctypes.c_void_p), 8)
pidfd = libc.syscall(434, ${supervisor}, 0)
print(mem, show(libc.ptrace(0x4206, ${supervisor}, 0, 0)), show(libc.process_vm_readv(${supervisor}, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)), show(pidfd), show(libc.syscall(438, pidfd, 0, 0)))`
      const result = await api.run(python(code), contained)
      const [mem, ptrace, readv, pidfd, getfd] = text(result.stdout).trim().split(" ")
      expect([mem, ptrace, readv, getfd]).not.toContain("ok")
      // Seen (as root, through the host's /proc), the file is refused by the Landlock domain, not missing.
      if (process.getuid?.() === 0) expect(mem).toMatch(/^(EACCES|EPERM)$/)
      // The supervisor is outside the child's pid namespace: it has no pid there to open.
      expect(pidfd).toBe("ESRCH")
    })

    it("cannot signal the process group it shares with the supervisor (kill(0, ...) with processGroup false)", async () => {
      // SIGWINCH: ignored by default, so if the fence failed it would only reach this handler and vitest's own.
      let received = 0
      const count = (): void => void received++
      process.on("SIGWINCH", count)
      try {
        const code = "import signal\nprint(libc.kill(0, signal.SIGWINCH), ctypes.get_errno())"
        await api.run(python(code), { processGroup: false })
        await new Promise((resolve) => setTimeout(resolve, 200))
        expect(received).toBe(0)
        await api.run(python(code), { processGroup: false, containment: "process-group" })
        expect(await waitUntil(() => received > 0, 2000)).toBe(true)
      } finally {
        process.off("SIGWINCH", count)
      }
    })

    it("the same probes succeed at containment process-group (the control)", async () => {
      const result = await api.run(python(`print(libc.kill(${supervisor}, 0))`), { containment: "process-group" })
      expect(text(result.stdout)).toBe("0\n")
    })
  })
}
