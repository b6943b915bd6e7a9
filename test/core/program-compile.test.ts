/**
 * The program compiler against a fake child (program-fake.ts) that interprets
 * the compiled ops like the interpreters do: step order, the listener
 * handshake, PATH search semantics, failure records and typed input errors,
 * for both architectures' numbers.
 */
import { describe, expect, it } from "vitest"
import { archTable, type Arch } from "../../core/arch/mod.ts"
import { recordSize, recordTag } from "../../core/program/format.ts"
import { compileProgram, ProgramError, type ProgramInput } from "../../core/program/mod.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { runFake, type Call, type FakeKernel } from "./program-fake.ts"

const input: ProgramInput = {
  argv: ["tool", "--flag"], env: ["PATH=/opt/bin:/usr/bin", "HOME=/root"], steps: [],
  stdio: [20, 21, 22], control: 23, parentDeathSignal: 9, parentPid: 4242, parentPidfd: 24, signalsToDefault: [13, 25]
}
const bpf = (instructions: number): Uint8Array => new Uint8Array(8 * instructions).fill(6)

describe.each(["x86_64", "aarch64"] as const)("compileProgram for %s", (arch: Arch) => {
  const { errno, constants } = archTable(arch)
  /** A kernel where everything works; `override` answers first when it returns a value. */
  const kernel = (override: (call: Call) => bigint | undefined = () => undefined): FakeKernel => (call) => {
    const answer = override(call)
    if (answer !== undefined) return answer
    if (call.name === "getppid") return 4242n
    if (call.name === "seccomp") return call.args[1] === BigInt(constants.SECCOMP_FILTER_FLAG_NEW_LISTENER) ? 4n : 0n
    if (call.name === "read" || call.name === "write") return call.name === "read" ? 1n : call.args[2] ?? 0n
    return 0n
  }
  const run = (overrides: Partial<ProgramInput>, answer?: (call: Call) => bigint | undefined) => {
    const program = compileProgram({ ...input, ...overrides }, arch)
    const ending = runFake(program, arch, kernel(answer))
    return { program, ending, names: ending.calls.map((call) => call.name), report: program.decode(ending.written.get(3) ?? new Uint8Array(0)) }
  }

  it("runs parent check, signals, fds, steps, filters and exec in the contract's order", () => {
    const steps: ReadonlyArray<PreExecStep> = [
      { kind: "seccomp", bpf: bpf(2), listener: true }, { kind: "rlimit", resource: "nofile", soft: 64n, hard: "unlimited" },
      { kind: "chdir", path: "/srv" }, { kind: "seccomp", bpf: bpf(1) }, { kind: "umask", mask: 0o22 }, { kind: "setsid" }, { kind: "no-new-privs" }
    ]
    const { ending, names, program } = run({ steps })
    expect(names).toEqual([
      "prctl", "getppid", "rt_sigaction", "rt_sigaction", "rt_sigprocmask", "dup3", "dup3", "dup3", "dup3", "close_range",
      "prlimit64", "chdir", "umask", "setsid", "prctl", "seccomp", "write", "seccomp", "read", "execve"
    ])
    expect(ending.exit).toBe("exec")
    expect(program.hasListener).toBe(true)
    const at = (name: string, nth = 0): Call => ending.calls.filter((call) => call.name === name)[nth] as Call
    expect(at("prctl").args.slice(0, 2)).toEqual([BigInt(constants.PR_SET_PDEATHSIG), 9n])
    expect(at("rt_sigaction", 1).args[0]).toBe(25n)
    expect([...at("rt_sigaction").bytes(1, 32)].every((byte) => byte === 0)).toBe(true) // SIG_DFL, no flags
    expect(at("rt_sigprocmask").bytes(1, 8)).toEqual(new Uint8Array(8))
    expect(ending.calls.filter((call) => call.name === "dup3").map((call) => call.args.slice(0, 3)))
      .toEqual([[20n, 0n, 0n], [21n, 1n, 0n], [22n, 2n, 0n], [23n, 3n, BigInt(constants.O_CLOEXEC)]])
    expect(at("close_range").args.slice(0, 3)).toEqual([4n, 0xffffffffn, 0n])
    const limit = new DataView(at("prlimit64").bytes(2, 16).buffer)
    expect([at("prlimit64").args[1], limit.getBigUint64(0, true), limit.getBigUint64(8, true)]).toEqual([7n, 64n, constants.RLIM_INFINITY])
    expect(at("chdir").string(0)).toBe("/srv")
    expect(at("umask").args[0]).toBe(0o22n)
    expect(at("prctl", 1).args.slice(0, 2)).toEqual([BigInt(constants.PR_SET_NO_NEW_PRIVS), 1n])
    const exec = at("execve")
    expect([exec.string(0), exec.strings(1), exec.strings(2)]).toEqual(["/opt/bin/tool", ["tool", "--flag"], ["PATH=/opt/bin:/usr/bin", "HOME=/root"]])
  })

  it("passes supervisor fds onto 5.., closes fd 4 and all above them, merges the unshares and runs the fences by phase", () => {
    const steps: ReadonlyArray<PreExecStep> = [
      { kind: "landlock", rulesetFd: 30 }, { kind: "hostname", name: "box" }, { kind: "ids", uid: 65534, gid: 65534 },
      { kind: "unshare", namespaces: ["uts"] }, { kind: "mount-attributes", path: "/", recursive: true, set: 1n, clear: 0n },
      { kind: "unshare", namespaces: ["mount", "uts", "network"] }, { kind: "join-cgroup", procsFd: 31, path: "/sys/fs/cgroup/job" }, { kind: "loopback-up" }
    ]
    const { ending, names } = run({ steps })
    expect(names).toEqual([
      "prctl", "getppid", "rt_sigaction", "rt_sigaction", "rt_sigprocmask", "dup3", "dup3", "dup3", "dup3", "dup3", "dup3", "close_range", "close_range",
      "write", "close", "unshare", "mount_setattr", "sethostname", "socket", "ioctl", "close", "setresgid", "setresuid", "landlock_restrict_self", "close", "execve"
    ])
    const calls = (name: string): ReadonlyArray<ReadonlyArray<bigint>> => ending.calls.filter((call) => call.name === name).map((call) => call.args)
    // The cgroup's fd comes first (it is used first): 31 -> 5, the ruleset 30 -> 6.
    expect(calls("dup3").slice(4).map((args) => args.slice(0, 3))).toEqual([[31n, 5n, BigInt(constants.O_CLOEXEC)], [30n, 6n, BigInt(constants.O_CLOEXEC)]])
    expect(calls("close_range").map((args) => args.slice(0, 3))).toEqual([[4n, 4n, 0n], [7n, 0xffffffffn, 0n]])
    expect(calls("write")[0]?.slice(0, 1)).toEqual([5n])
    expect(calls("unshare")[0]?.[0]).toBe(BigInt(constants.CLONE_NEWUTS | constants.CLONE_NEWNS | constants.CLONE_NEWNET))
    expect(calls("landlock_restrict_self")[0]?.slice(0, 2)).toEqual([6n, 0n])
    expect(calls("close").map((args) => args[0])).toEqual([5n, 0n, 6n])
  })

  it("compiles every mount, identity and namespace kind to this arch's calls", () => {
    const steps: ReadonlyArray<PreExecStep> = [
      { kind: "user-namespace", uidMap: "0 1000 1", gidMap: "0 1000 1" },
      { kind: "unshare", namespaces: ["mount", "network", "ipc", "cgroup"] },
      { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(constants.MS_REC | constants.MS_PRIVATE), data: undefined },
      { kind: "mount-point", path: "/tmp/root/etc", type: "directory" }, { kind: "mount-point", path: "/tmp/root/file", type: "file" },
      { kind: "symlink", target: "/proc/self/fd", path: "/tmp/root/fd" },
      { kind: "tmpfs", target: "/dev", flags: 0n, data: "mode=0755", carry: [{ source: "/dev/null", path: "null", type: "file" }], directories: ["shm"], links: [], readOnly: true },
      { kind: "pivot-root", newRoot: "/tmp/root" }, { kind: "drop-bounding", keep: [], lastCap: 2 }, { kind: "clear-capabilities", keep: [] }
    ]
    // The maps' writes expect the lowest free fd, 4.
    const { names, ending } = run({ steps }, (call) => (call.name === "openat" ? 4n : undefined))
    expect(ending.exit).toBe("exec")
    expect(names.slice(10, -1)).toEqual([
      "openat", "write", "close", "openat", "write", "close", "openat", "write", "close", "unshare", "mount", "mkdirat", "openat", "close", "symlinkat",
      "open_tree", "mount", "mkdirat", "openat", "close", "move_mount", "close", "mount_setattr", "chdir", "pivot_root", "umount2", "chdir",
      "prctl", "prctl", "prctl", "prctl", "capset"
    ])
  })

  it("keeps capabilities across a change to a non-zero uid: PR_SET_KEEPCAPS first, then inheritable and ambient", () => {
    const steps: ReadonlyArray<PreExecStep> = [
      { kind: "ids", uid: 65534, gid: 65534, keepCapabilities: true }, { kind: "clear-capabilities", keep: [10, 33], ambient: true }
    ]
    const { ending } = run({ steps })
    const from = ending.calls.findIndex((call) => call.name === "prctl" && call.args[0] === BigInt(constants.PR_SET_KEEPCAPS))
    const identity = ending.calls.slice(from, -1)
    expect(identity.map((call) => [call.name, ...call.args.slice(0, 3)])).toEqual([
      ["prctl", BigInt(constants.PR_SET_KEEPCAPS), 1n, 0n], ["setresgid", 65534n, 65534n, 65534n], ["setresuid", 65534n, 65534n, 65534n],
      ["prctl", BigInt(constants.PR_CAP_AMBIENT), BigInt(constants.PR_CAP_AMBIENT_CLEAR_ALL), 0n],
      ["capset", identity[4]?.args[0], identity[4]?.args[1], 0n],
      ["prctl", BigInt(constants.PR_CAP_AMBIENT), BigInt(constants.PR_CAP_AMBIENT_RAISE), 10n], ["prctl", BigInt(constants.PR_CAP_AMBIENT), BigInt(constants.PR_CAP_AMBIENT_RAISE), 33n]
    ])
    // Effective, permitted and inheritable hold bit 10 in the low word and bit 1 (33) in the high one.
    const data = new DataView((identity[4] as Call).bytes(1, 24).buffer)
    expect([0, 4, 8, 12, 16, 20].map((offset) => data.getUint32(offset, true))).toEqual([1 << 10, 1 << 10, 1 << 10, 2, 2, 2])
  })

  it("installs the listener's filter last and runs nothing but the handshake read before execve", () => {
    const steps: ReadonlyArray<PreExecStep> = [{ kind: "seccomp", bpf: bpf(3), listener: true }, { kind: "seccomp", bpf: bpf(1) }]
    const { ending } = run({ steps, argv: ["missing"], env: ["PATH=/a:/b"] }, (call) => (call.name === "execve" ? BigInt(-errno.ENOENT) : undefined))
    const seccomps = ending.calls.filter((call) => call.name === "seccomp")
    const fprog = (call: Call) => new DataView(call.bytes(2, 16).buffer).getUint16(0, true)
    expect(seccomps.map((call) => [call.args[1], fprog(call)])).toEqual([[0n, 1], [BigInt(constants.SECCOMP_FILTER_FLAG_NEW_LISTENER), 3]])
    const install = ending.calls.indexOf(seccomps[1] as Call)
    expect(ending.calls.slice(install + 1).map((call) => call.name)).toEqual(["read", "execve", "execve"])
    const handshake = ending.calls[install + 1] as Call
    expect([handshake.args[0], handshake.args[2]]).toEqual([3n, 4093n])
    // The record that announces the listener is written right before the install.
    expect(ending.calls[install - 1]?.name).toBe("write")
    expect(new DataView(ending.written.get(3)?.buffer ?? new ArrayBuffer(16)).getUint32(0, true)).toBe(recordTag.installingListener)
  })

  it("reports installingListener, then a failure when the supervisor never answers", () => {
    const steps: ReadonlyArray<PreExecStep> = [{ kind: "seccomp", bpf: bpf(1), listener: true }]
    const { report, ending } = run({ steps }, (call) => (call.name === "read" ? 0n : undefined))
    expect(report).toEqual({ installingListener: true, started: false, failure: { stage: "seccomp-listener", errno: 0, subject: "the supervisor did not take the listener" } })
    expect(ending.exit).toBe(127)
    const gotFd5 = run({ steps }, (call) => (call.name === "seccomp" ? 5n : undefined))
    expect(gotFd5.report.failure).toEqual({ stage: "seccomp", errno: 0, subject: "filter with listener" })
  })

  it("searches PATH like execvp: ENOENT and ENOTDIR go on, EACCES is remembered, other errors stop", () => {
    const answers = (byPath: Record<string, number>) => (call: Call) => (call.name === "execve" ? BigInt(-(byPath[call.string(0)] ?? 0)) : undefined)
    const env = ["PATH=/a::/c:/d"]
    const tried = (result: ReturnType<typeof run>) => result.ending.calls.filter((call) => call.name === "execve").map((call) => call.string(0))
    const allMissing = run({ env, argv: ["x"] }, answers({ "/a/x": errno.ENOENT, x: errno.ENOTDIR, "/c/x": errno.ENOENT, "/d/x": errno.ENOENT }))
    expect(tried(allMissing)).toEqual(["/a/x", "x", "/c/x", "/d/x"])
    expect(allMissing.report.failure).toEqual({ stage: "resolve", errno: errno.ENOENT, subject: "x" })
    const denied = run({ env, argv: ["x"] }, answers({ "/a/x": errno.EACCES, x: errno.ENOENT, "/c/x": errno.ENOENT, "/d/x": errno.ENOENT }))
    expect(denied.report.failure).toEqual({ stage: "resolve", errno: errno.EACCES, subject: "x" })
    const laterWorks = run({ env, argv: ["x"] }, answers({ "/a/x": errno.EACCES, x: errno.ENOENT }))
    expect([tried(laterWorks), laterWorks.ending.exit]).toEqual([["/a/x", "x", "/c/x"], "exec"])
    const broken = run({ env, argv: ["x"] }, answers({ "/a/x": errno.ENOEXEC }))
    expect([tried(broken), broken.report.failure]).toEqual([["/a/x"], { stage: "exec", errno: errno.ENOEXEC, subject: "/a/x" }])
  })

  it("tries a command with a slash alone, and uses execvp's default PATH without one", () => {
    const tried = (result: ReturnType<typeof run>) => result.ending.calls.filter((call) => call.name === "execve").map((call) => call.string(0))
    const missing = (call: Call) => (call.name === "execve" ? BigInt(-errno.ENOENT) : undefined)
    expect(tried(run({ argv: ["./bin/x"] }, missing))).toEqual(["./bin/x"])
    expect(tried(run({ argv: ["x"], env: ["HOME=/"] }, missing))).toEqual(["/usr/local/bin/x", "/usr/bin/x", "/bin/x"])
    expect(tried(run({ argv: ["x"], env: ["PATH=/first", "PATH=/second"] }, missing))).toEqual(["/first/x"])
    const empty = run({ argv: [""] })
    expect([tried(empty), empty.report.failure]).toEqual([[], { stage: "resolve", errno: errno.ENOENT, subject: "" }])
  })

  it("reports each step's failure with its stage, errno and subject, on the control channel's fd at that point", () => {
    const failing = (name: string, code: number) => (call: Call) => (call.name === name ? BigInt(-code) : undefined)
    const steps: ReadonlyArray<PreExecStep> = [{ kind: "rlimit", resource: "as", soft: 1n, hard: 2n }, { kind: "chdir", path: "/nope" }]
    expect(run({ steps }, failing("chdir", errno.ENOENT)).report.failure).toEqual({ stage: "chdir", errno: errno.ENOENT, subject: "/nope" })
    expect(run({ steps }, failing("prlimit64", errno.EPERM)).report.failure).toEqual({ stage: "rlimit", errno: errno.EPERM, subject: "as" })
    expect(run({ steps: [{ kind: "setsid" }] }, failing("setsid", errno.EPERM)).report.failure).toEqual({ stage: "setsid", errno: errno.EPERM, subject: "new session" })
    expect(run({}, failing("close_range", errno.EINVAL)).report.failure).toEqual({ stage: "close-fds", errno: errno.EINVAL, subject: "fds 4 and up" })
    // Before fd 3 is the control channel, the record goes to the channel's own number.
    const early = run({}, failing("prctl", errno.EINVAL))
    expect([...early.ending.written.keys()]).toEqual([23])
    expect(early.program.decode(early.ending.written.get(23) ?? new Uint8Array(0)).failure)
      .toEqual({ stage: "parent-death-signal", errno: errno.EINVAL, subject: "PR_SET_PDEATHSIG" })
    const umask = run({ steps: [{ kind: "umask", mask: 0o77 }] }, (call) => (call.name === "umask" ? 0o22n : undefined))
    expect(umask.ending.exit).toBe("exec")
  })

  it("exits 1 without a record when the parent changed, and skips the check without a death signal", () => {
    const orphan = run({}, (call) => (call.name === "getppid" ? 1n : undefined))
    expect([orphan.ending.exit, orphan.ending.written.size]).toEqual([1, 0])
    expect(run({ parentDeathSignal: 0 }).names.slice(0, 1)).toEqual(["rt_sigaction"])
    // SIGKILL and SIGSTOP are always at their default: no rt_sigaction for them (the kernel would refuse it).
    expect(run({ signalsToDefault: [9, 19, 1] }).ending.calls.filter((call) => call.name === "rt_sigaction").map((call) => call.args[0])).toEqual([1n])
  })

  it("lays out non-ASCII strings whole, a lone surrogate as U+FFFD like TextEncoder", () => {
    const argv = ["/bin/x", "héllo", "日本", "😀!", "a\ud800b", "\udfff", ""]
    const { ending } = run({ argv, env: ["K=ü"] })
    const exec = ending.calls.find((call) => call.name === "execve") as Call
    expect(exec.strings(1)).toEqual(["/bin/x", "héllo", "日本", "😀!", "a\ufffdb", "\ufffd", ""])
    expect(exec.strings(2)).toEqual(["K=ü"])
  })

  it("fixes every pointer up for the address it is given", () => {
    const program = compileProgram({ ...input, steps: [{ kind: "chdir", path: "/x" }, { kind: "seccomp", bpf: bpf(2) }] }, arch)
    const one = program.image(0x10000n)
    const two = program.image(0x20000n)
    expect(one.byteLength).toBe(program.size)
    const view = (bytes: Uint8Array) => new DataView(bytes.buffer)
    let pointers = 0
    for (let at = 0; at + 8 <= program.size; at += 8) {
      const [a, b] = [view(one).getBigUint64(at, true), view(two).getBigUint64(at, true)]
      if (a === b) continue
      pointers++
      expect([b - a, a >= 0x10000n && a < 0x10000n + BigInt(program.size)]).toEqual([0x10000n, true])
    }
    // At least: chdir's path, rt_sigaction's and rt_sigprocmask's structs, the fprog and its filter, argv's and envp's entries, 3 per execve.
    expect(pointers).toBeGreaterThan(15)
    expect(() => program.image(0x10004n)).toThrow("8-aligned")
  })

  it("decodes partial, malformed and unknown records without guessing", () => {
    const program = compileProgram(input, arch)
    const record = (tag: number, index: number, code: number) => {
      const bytes = new Uint8Array(recordSize)
      const view = new DataView(bytes.buffer)
      view.setUint32(0, tag, true)
      view.setUint32(4, index, true)
      view.setInt32(8, code, true)
      return bytes
    }
    const failure = record(recordTag.failure, 0, errno.EPERM)
    expect(program.decode(failure.subarray(0, 10))).toEqual({ installingListener: false, started: false, failure: undefined })
    expect(program.decode(failure).failure).toEqual({ stage: "parent-death-signal", errno: errno.EPERM, subject: "PR_SET_PDEATHSIG" })
    expect(program.decode(record(recordTag.failure, 999, 1)).failure?.stage).toBe("launcher")
    expect(program.decode(record(0x1234, 0, 1)).failure).toEqual({ stage: "launcher", errno: 0, subject: "unreadable report from the child: record tag 0x1234" })
  })
})

describe("compileProgram's containment steps", () => {
  const { constants } = archTable("x86_64")
  const users: PreExecStep = { kind: "user-namespace", uidMap: "0 1000 1", gidMap: "0 1000 1" }
  it("tells the adapter which namespaces to clone into and whether it may vfork", () => {
    const shape = (steps: ReadonlyArray<PreExecStep>) => {
      const { cloneFlags, init, mayVfork, hasListener } = compileProgram({ ...input, steps }, "x86_64")
      return { cloneFlags, init, mayVfork, hasListener }
    }
    expect(shape([])).toEqual({ cloneFlags: 0, init: false, mayVfork: true, hasListener: false })
    expect(shape([users])).toEqual({ cloneFlags: constants.CLONE_NEWUSER, init: false, mayVfork: true, hasListener: false })
    expect(shape([users, { kind: "pid-namespace" }, { kind: "landlock", scopes: ["signal"] }])).toEqual({ cloneFlags: constants.CLONE_NEWUSER | constants.CLONE_NEWPID, init: true, mayVfork: false, hasListener: false })
  })

  it("writes the maps right after close_range, before every other step, and forks the target before the steps", () => {
    const steps: ReadonlyArray<PreExecStep> = [{ kind: "chdir", path: "/" }, { kind: "pid-namespace" }, users, { kind: "landlock", scopes: ["signal"] }]
    // The fake's clone returns 0: this is the target's path.
    const ending = runFake(compileProgram({ ...input, steps }, "x86_64"), "x86_64", (call) => {
      if (call.name === "openat" || call.name === "landlock_create_ruleset") return 4n
      if (call.name === "write") return call.args[2] ?? 0n
      return 0n
    })
    const names = ending.calls.map((call) => call.name)
    expect(names.slice(names.indexOf("close_range"))).toEqual([
      "close_range", "openat", "write", "close", "openat", "write", "close", "openat", "write", "close",
      "clone", "rt_sigprocmask", "chdir", "landlock_create_ruleset", "landlock_restrict_self", "close", "execve"
    ])
    // The init does not unblock signals before the fork, and polls a pidfd of its parent's process (fd 24 here),
    // not getppid (0 outside its namespace), right after the death signal is set: no event, in no time, or it exits.
    expect(names.slice(0, 3)).toEqual(["prctl", "ppoll", "rt_sigaction"])
    const probe = ending.calls[1]
    expect([probe?.args[1], probe?.args[3], probe?.args[4]]).toEqual([1n, 0n, 0n])
    const pollfd = new DataView(Uint8Array.from(probe?.bytes(0, 8) ?? []).buffer)
    expect([pollfd.getInt32(0, true), pollfd.getInt16(4, true), pollfd.getInt16(6, true)]).toEqual([24, 1, 0])
    expect([...(probe?.bytes(2, 16) ?? [])]).toEqual(new Array(16).fill(0))
    const maps = ending.calls.filter((call) => call.name === "openat").map((call) => call.string(1))
    expect(maps).toEqual(["/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"])
    expect(ending.calls.filter((call) => call.name === "write").slice(0, 3).map((call) => new TextDecoder().decode(call.bytes(1, Number(call.args[2])))))
      .toEqual(["deny", "0 1000 1", "0 1000 1"])
  })
})

describe("compileProgram refuses input it cannot run as asked", () => {
  const refuses = (overrides: Partial<ProgramInput>, message: string) => {
    expect(() => compileProgram({ ...input, ...overrides }, "x86_64")).toThrow(ProgramError)
    expect(() => compileProgram({ ...input, ...overrides }, "x86_64")).toThrow(message)
  }

  it("names the argument with a NUL byte", () => {
    refuses({ argv: ["tool", "a\0b"] }, "argv[1] contains a NUL byte")
    refuses({ env: ["A=1", "B=\0"] }, "env[1] contains a NUL byte")
    refuses({ steps: [{ kind: "umask", mask: 0 }, { kind: "chdir", path: "/tmp\0/x" }] }, "steps[1] (chdir).path contains a NUL byte")
  })

  it("refuses an empty argv, low fds, bad signals, bad filters, two listeners and out-of-range values", () => {
    refuses({ argv: [] }, "argv is empty")
    refuses({ stdio: [0, 21, 22] }, "stdio[0] must be a file descriptor >= 10 (got 0)")
    refuses({ control: 3 }, "control must be a file descriptor >= 10")
    refuses({ signalsToDefault: [65] }, "signalsToDefault[0] is not a signal number (1 to 64)")
    refuses({ parentDeathSignal: -1 }, "parentDeathSignal is not a signal number")
    refuses({ steps: [{ kind: "seccomp", bpf: new Uint8Array(12) }] }, "steps[0] (seccomp).bpf is not a usable BPF program")
    refuses({ steps: [{ kind: "seccomp", bpf: new Uint8Array(0) }] }, "steps[0] (seccomp).bpf is not a usable BPF program")
    refuses({ steps: [{ kind: "seccomp", bpf: bpf(4097) }] }, "steps[0] (seccomp).bpf is not a usable BPF program")
    refuses({ steps: [{ kind: "seccomp", bpf: bpf(1), listener: true }, { kind: "seccomp", bpf: bpf(1), listener: true }] }, "second seccomp notify listener")
    refuses({ steps: [{ kind: "rlimit", resource: "cpu", soft: -1n, hard: 1n }] }, "steps[0] (rlimit).soft is out of range")
    refuses({ steps: [{ kind: "umask", mask: 0o1000 }] }, "steps[0] (umask).mask is out of range")
    refuses({ steps: [{ kind: "landlock", scopes: [] }] }, "steps[0] (landlock).scopes is out of range (a Landlock domain without file-system rules needs at least one scope)")
    const users: PreExecStep = { kind: "user-namespace", uidMap: "0 0 1", gidMap: "0 0 1" }
    // Plugins may each ask for the user namespace; they must agree on its maps.
    expect(compileProgram({ ...input, steps: [users, users] }, "x86_64").cloneFlags).toBe(0x10000000)
    refuses({ steps: [users, { ...users, uidMap: "0 1000 1" }] }, "steps[1] (user-namespace) cannot go with the other steps (another step maps the user namespace differently: give one identity)")
    refuses({ steps: [users, { kind: "groups", groups: [] }] }, "steps[1] (groups) cannot go with the other steps")
    refuses({ steps: [{ kind: "landlock", rulesetFd: 23 }] }, "steps[0] (landlock).rulesetFd must be a file descriptor >= 10 (fd 23 is the child's stdio or control channel)")
    refuses({ steps: [{ kind: "join-cgroup", procsFd: 3, path: "/sys/fs/cgroup/x" }] }, "steps[0] (join-cgroup).procsFd must be a file descriptor >= 10")
    refuses({ steps: [30, 31, 32, 33, 34, 35].map((fd): PreExecStep => ({ kind: "landlock", rulesetFd: fd })) }, "steps[5] (landlock).rulesetFd cannot go with the other steps (at most 5 supervisor fds per child)")
    refuses({ steps: [{ kind: "unshare", namespaces: ["uts"] }, { kind: "hostname", name: "x".repeat(65) }] }, "steps[1] (hostname).name is out of range")
    refuses({ steps: [{ kind: "ids", uid: -1, gid: 0 }] }, "steps[0] (ids).uid is out of range")
    refuses({ steps: [{ kind: "unshare", namespaces: ["network"] }, { kind: "hostname", name: "box" }] }, 'steps[1] (hostname) cannot go with the other steps (it needs an "unshare" step with "uts": without one it would change the host\'s)')
    refuses({ steps: [{ kind: "pivot-root", newRoot: "/tmp/root" }] }, 'steps[0] (pivot-root) cannot go with the other steps (it needs an "unshare" step with "mount"')
    refuses({ steps: [{ kind: "loopback-up" }] }, 'steps[0] (loopback-up) cannot go with the other steps (it needs an "unshare" step with "network"')
    refuses({ steps: [{ ...users, uidMap: "0 0 1\0" }] }, "steps[0] (user-namespace).uidMap contains a NUL byte")
    refuses({ steps: [users, { kind: "pid-namespace" }] }, 'steps[1] (pid-namespace) needs a "landlock" step too')
  })
})
