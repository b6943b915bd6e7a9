/**
 * The exit diagnosis of a child a cgroup limit ended. This host's cgroup v2
 * has no memory or pids controller, so no real OOM kill or pids.max refusal
 * can happen here: the cgroup plugin runs against a fake Kernel port (an
 * in-memory cgroup file system) whose memory.events and pids.events say what
 * the kernel would, through the plugin's own preExec, exec and exit hooks.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { constants, errno } from "../../core/arch/generic.ts"
import type { Diagnosis, ExitResult } from "../../core/exit.ts"
import { type Kernel, KernelService } from "../../core/host/kernel.ts"
import { diagnoseLimit } from "../../plugins/sandbox/cgroup/diagnosis.ts"
import { sizeText } from "../../plugins/sandbox/cgroup/limits.ts"
import { cgroup } from "../../plugins/sandbox/cgroup/plugin.ts"
import { SeccompLibrary } from "../../plugins/seccomp/library.ts"

const root = "/sys/fs/cgroup"

/** A Kernel over in-memory files: openat/read/write/close, faccessat, mkdirat, unlinkat, getpid. */
const fakeKernel = (files: Map<string, string>): Kernel => {
  const buffers = new Map<bigint, Uint8Array>()
  const open = new Map<number, { readonly path: string; offset: number }>()
  let nextFd = 20
  const buffer = (address: bigint | number | undefined): Uint8Array => buffers.get(BigInt(address ?? 0)) ?? new Uint8Array()
  const path = (address: bigint | number | undefined): string => {
    const bytes = buffer(address)
    return new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)))
  }
  const addressOf = (memory: Uint8Array): bigint => {
    const address = BigInt(buffers.size + 1) << 16n
    buffers.set(address, memory)
    return address
  }
  return {
    address: addressOf,
    syscall: (name, ...given) => {
      // Memory comes as the buffer itself, as the real port takes it.
      const args = given.map((arg) => (arg instanceof Uint8Array ? addressOf(arg) : arg))
      switch (name) {
        case "getpid":
          return 4242n
        case "faccessat":
          return files.has(path(args[1])) || [...files.keys()].some((file) => file.startsWith(`${path(args[1])}/`)) ? 0n : BigInt(-errno.ENOENT)
        case "openat": {
          const file = path(args[1])
          if (!files.has(file)) return BigInt(-errno.ENOENT)
          open.set(nextFd, { path: file, offset: 0 })
          return BigInt(nextFd++)
        }
        case "read": {
          const entry = open.get(Number(args[0]))
          if (entry === undefined) return BigInt(-errno.EBADF)
          const bytes = new TextEncoder().encode(files.get(entry.path) ?? "").subarray(entry.offset, entry.offset + Number(args[2]))
          buffer(args[1]).set(bytes)
          entry.offset += bytes.byteLength
          return BigInt(bytes.byteLength)
        }
        case "write": {
          const entry = open.get(Number(args[0]))
          if (entry === undefined) return BigInt(-errno.EBADF)
          files.set(entry.path, new TextDecoder().decode(buffer(args[1]).subarray(0, Number(args[2]))))
          return BigInt(args[2] ?? 0)
        }
        case "close":
          return open.delete(Number(args[0])) ? 0n : BigInt(-errno.EBADF)
        case "mkdirat": {
          const dir = path(args[1])
          // What the kernel makes in a new cgroup with the memory and pids controllers enabled.
          for (const file of ["cgroup.procs", "cgroup.kill", "memory.max", "memory.swap.max", "pids.max"]) files.set(`${dir}/${file}`, "")
          files.set(`${dir}/memory.events`, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n")
          files.set(`${dir}/pids.events`, "max 0\n")
          return 0n
        }
        case "unlinkat": {
          const dir = path(args[1])
          if (Number(args[2]) !== constants.AT_REMOVEDIR) return BigInt(-errno.EINVAL)
          for (const file of [...files.keys()]) if (file.startsWith(`${dir}/`)) files.delete(file)
          return 0n
        }
        default:
          return BigInt(-errno.ENOSYS)
      }
    }
  }
}

const host = (): Map<string, string> =>
  new Map([
    ["/proc/self/mountinfo", `30 1 0:26 / ${root} rw,nosuid - cgroup2 cgroup2 rw\n`],
    ["/proc/self/cgroup", "0::/\n"],
    [`${root}/cgroup.controllers`, "cpu memory pids\n"],
    [`${root}/cgroup.subtree_control`, "memory pids\n"],
    [`${root}/cgroup.procs`, ""]
  ])

const exited = (exit: Partial<ExitResult>): ExitResult => ({ pid: 77, exitCode: undefined, signal: undefined, durationMs: 5, diagnosis: undefined, ...exit })

/**
 * Runs one child through the cgroup plugin's hooks: preExec makes its
 * cgroup, `events` then writes what the kernel would have counted, and the
 * exit hook answers.
 */
const exitThrough = (limits: Parameters<typeof cgroup>[0], exit: ExitResult, events: Readonly<Record<string, string>>): { readonly result: ExitResult; readonly files: Map<string, string> } => {
  const files = host()
  const kernel = fakeKernel(files)
  const plugin = cgroup(limits)
  const spec = {}
  Effect.runSync(plugin.preExec(spec).pipe(Effect.provideService(KernelService, kernel), Effect.provideService(SeccompLibrary, {} as never)))
  const path = [...files.keys()].find((file) => file.endsWith("/cgroup.procs") && file !== `${root}/cgroup.procs`)?.replace(/\/cgroup\.procs$/, "")
  if (path === undefined) throw new Error("the plugin made no cgroup")
  files.set(`${path}/cgroup.procs`, `${exit.pid}\n`)
  Effect.runSync(plugin.exec({ pid: exit.pid, spec }))
  for (const [file, text] of Object.entries(events)) files.set(`${path}/${file}`, text)
  return { result: Effect.runSync(plugin.exit(exit, spec)), files }
}

describe("cgroup limit exits", () => {
  it("a SIGKILL with an OOM kill counted reads as the memory limit, and the cgroup is removed after", () => {
    const { result, files } = exitThrough({ memory: "512M" }, exited({ signal: "SIGKILL" }), { "memory.events": "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n" })
    expect(result.diagnosis).toEqual({
      cause: "memory-limit",
      message: "Killed by the cgroup's memory limit (memory.max 512M): the kernel's OOM killer ended it",
      limit: "512M",
      events: 1
    })
    expect([...files.keys()].filter((file) => file.includes("/kakoi-"))).toEqual([])
  })

  it("a plain SIGKILL (no OOM kill counted) gets no diagnosis", () => {
    expect(exitThrough({ memory: "512M" }, exited({ signal: "SIGKILL" }), {}).result.diagnosis).toBeUndefined()
  })

  it("refused forks at pids.max explain a failed exit with their count", () => {
    const { result } = exitThrough({ pids: 64 }, exited({ exitCode: 1 }), { "pids.events": "max 12\n" })
    expect(result.diagnosis).toEqual({
      cause: "pid-limit",
      message: "The child hit the cgroup's pid limit (pids.max 64): fork/clone failed with EAGAIN 12 times",
      limit: "64",
      events: 12
    })
  })

  it("an OOM kill of a descendant explains a failed exit as the limit reached, not as the child's kill", () => {
    const { result } = exitThrough({ memory: "1G", pids: 8 }, exited({ exitCode: 137 }), { "memory.events": "oom 2\noom_kill 2\n", "pids.events": "max 1\n" })
    expect(result.diagnosis).toMatchObject({
      cause: "memory-limit",
      message: "The cgroup's memory limit (memory.max 1G) was reached: the kernel's OOM killer killed 2 processes in the child's cgroup"
    })
  })

  it("a clean exit is not explained, though forks were refused on the way", () => {
    expect(exitThrough({ pids: 64 }, exited({ exitCode: 0 }), { "pids.events": "max 3\n" }).result.diagnosis).toBeUndefined()
  })

  it("leaves a diagnosis another plugin gave (seccomp's) as it is", () => {
    const seccomp: Diagnosis = { cause: "seccomp", message: 'Killed by a seccomp notify handler: "uname" (63) by rules[0], called by pid 77', syscalls: ["uname"] }
    const { result } = exitThrough({ memory: "512M" }, exited({ signal: "SIGKILL", diagnosis: seccomp }), { "memory.events": "oom_kill 1\n" })
    expect(result.diagnosis).toBe(seccomp)
  })

  it("never claims a SIGSYS, which is the seccomp filter's to explain", () => {
    expect(diagnoseLimit(exited({ signal: "SIGSYS" }), { limit: "memory", events: 1 }, { files: [["memory.max", "1024"]], controllers: ["memory"] })).toBeUndefined()
  })

  it("names no limit value when kakoi did not write the file", () => {
    expect(diagnoseLimit(exited({ exitCode: 1 }), { limit: "pids", events: 1 }, { files: [], controllers: [] })?.message)
      .toBe("The child hit the cgroup's pid limit: fork/clone failed with EAGAIN 1 time")
  })

  it("shows sizes in the largest unit that divides them", () => {
    expect(["536870912", "1073741824", "1000", "3072", "max"].map(sizeText)).toEqual(["512M", "1G", "1000", "3K", "max"])
  })
})
