/**
 * The containment steps for real on x86_64 (user namespace, pid-namespace
 * init, Landlock), through the same C harness as program-run.test.ts, which
 * adds the program's cloneFlags to its clone as an adapter must. Not run under
 * qemu-aarch64: qemu-user cannot clone with CLONE_VM, nor into namespaces.
 */
import { execFileSync, spawn } from "node:child_process"
import { once } from "node:events"
import { beforeAll, describe, expect, it } from "vitest"
import { archTable } from "../../core/arch/mod.ts"
import type { ProgramInput } from "../../core/program/mod.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { nodeLibc } from "../../adapters/node/native.ts"
import { machines, passedFdBase, runIn, type Machine, type Run, type RunOptions } from "./program-harness.ts"

const machine = machines[0] as Machine
const { errno, signals } = archTable(machine.arch)
let harness: ReadonlyArray<string> = []
beforeAll(() => {
  harness = machine.build()
})
const run = (input: Partial<ProgramInput>, options?: RunOptions): Run => runIn(machine, harness, input, options)
/** Drops root for the harness, as an unprivileged supervisor would run. */
const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
const exited = (code: number): number => code << 8
const userNamespace: PreExecStep = { kind: "user-namespace", uidMap: "0 65534 1", gidMap: "0 65534 1" }
const pidNamespace: PreExecStep = { kind: "pid-namespace" }
/** What every init needs beside it (the compiler refuses an init without a Landlock domain). */
const landlock: PreExecStep = { kind: "landlock", scopes: ["signal", "abstract-unix-socket"] }
const sh = (script: string): Partial<ProgramInput> => ({ argv: ["/bin/sh", "-c", script] })

describe("containment steps", () => {
  it("an init whose parent's process has ended before its death signal was set never starts the target", async () => {
    const libc = nodeLibc()
    const pidfdOf = (pid: number): number => Number(libc.call.syscall(archTable(machine.arch).syscalls.pidfd_open, pid, 0, 0, 0, 0))
    const ended = spawn("sleep", ["0.05"], { stdio: "ignore" })
    const gone = pidfdOf(ended.pid ?? 0)
    await once(ended, "exit")
    const living = pidfdOf(process.pid)
    expect([gone, living].every((fd) => fd >= 0)).toBe(true)
    try {
      // The harness holds the pidfd at fd 14, where the program looks for its parent's.
      const input = { ...sh("echo ran; exit 7"), steps: [pidNamespace, landlock], parentDeathSignal: signals.SIGKILL, parentPidfd: passedFdBase }
      const orphaned = run(input, { passFds: [gone] })
      expect([orphaned.stdout, orphaned.decoded.started, orphaned.status]).toEqual(["", false, exited(1)])
      const parented = run(input, { passFds: [living] })
      expect([parented.stdout, parented.decoded.started, parented.decoded.targetStatus]).toEqual(["ran\n", true, exited(7)])
    } finally {
      libc.call.close(gone)
      libc.call.close(living)
    }
  })

  it("maps the unprivileged supervisor's user to root in a new user namespace", () => {
    const result = run({ ...sh("id -u; id -g; cat /proc/self/uid_map /proc/self/setgroups"), steps: [userNamespace] }, { as: asNobody })
    expect(result.stdout.split(/\s+/).filter(Boolean)).toEqual(["0", "0", "0", "65534", "1", "deny"])
    expect(result.status).toBe(exited(0))
  })

  it("runs the target as pid 2 under a minimal init and reports its exit status, cloned from a multi-threaded process", () => {
    const result = run({ ...sh("echo $$; exit 7"), steps: [userNamespace, pidNamespace, landlock] }, { as: asNobody, threaded: true })
    expect(result.stdout).toBe("2\n")
    expect(result.decoded).toEqual({ installingListener: false, started: true, failure: undefined, targetStatus: exited(7) })
    // The init's own status means nothing: the record is the target's.
    expect(result.status).toBe(exited(0))
  })

  it("reports a target's death by a signal, which an init could not die of itself", () => {
    const result = run({ ...sh("kill -TERM $$"), steps: [pidNamespace, landlock] })
    expect(result.decoded.targetStatus).toBe(signals.SIGTERM)
  })

  it("forwards the signals it gets to the target", () => {
    const result = run({ argv: ["sleep", "30"], steps: [pidNamespace, landlock] }, { signalAfterStart: signals.SIGTERM })
    expect(result.decoded).toEqual({ installingListener: false, started: true, failure: undefined, targetStatus: signals.SIGTERM })
  })

  it("ends every process left in the namespace with the target, even a setsid'd double fork", () => {
    const marker = `kakoi-contain-${process.pid}-${Date.now()}`
    const script = `(setsid sh -c 'sleep 60; : ${marker}' &) ; sleep 0.2; pgrep -f ${marker} >/dev/null && echo running`
    const result = run({ ...sh(script), steps: [userNamespace, pidNamespace, landlock] }, { as: asNobody })
    expect(result.stdout).toBe("running\n")
    expect(result.decoded.targetStatus).toBe(exited(0))
    // pgrep exits 1 when nothing matches.
    expect(() => execFileSync("pgrep", ["-f", marker])).toThrow()
  })

  it("reports a step of the target that fails, then the target's exit 127", () => {
    const result = run({ steps: [pidNamespace, landlock, { kind: "chdir", path: "/no/such" }] })
    expect(result.decoded).toEqual({ installingListener: false, started: true, failure: { stage: "chdir", errno: errno.ENOENT, subject: "/no/such" }, targetStatus: exited(127) })
  })

  it("hands the target's listener to the supervisor from the init's fds", () => {
    const allow = new Uint8Array(8)
    new DataView(allow.buffer).setUint16(0, 0x06, true)
    new DataView(allow.buffer).setUint32(4, 0x7fff0000, true)
    const steps: ReadonlyArray<PreExecStep> = [userNamespace, pidNamespace, landlock, { kind: "no-new-privs" }, { kind: "seccomp", bpf: allow, listener: true }]
    const result = run({ ...sh("grep ^Seccomp: /proc/self/status; echo $$"), steps }, { as: asNobody })
    expect(result.listener).toBe("ok")
    expect(result.stdout).toBe("Seccomp:\t2\n2\n")
    expect(result.decoded).toEqual({ installingListener: true, started: true, failure: undefined, targetStatus: exited(0) })
  })

  it("keeps the target from ptracing or signalling its init, which shares the supervisor's memory", () => {
    // The init is pid 1 inside; /proc is the supervisor's, where it has its outer pid (the target's PPid).
    const probe = [
      // The shell reads its own status (a builtin read, so /proc/self is the shell, not a helper process).
      "while read key value; do [ \"$key\" = PPid: ] && init=$value; done < /proc/self/status",
      "[ -n \"$init\" ] && [ \"$init\" != 0 ] || echo no-init",
      "readlink /proc/$init/exe >/dev/null 2>&1 && echo ptrace-ok || echo ptrace-denied",
      "(exec 5<>/proc/$init/mem) 2>/dev/null && echo mem-ok || echo mem-denied",
      "kill -0 1 2>/dev/null && echo signal-ok || echo signal-denied"
    ].join("; ")
    const result = run({ ...sh(probe), steps: [userNamespace, pidNamespace, landlock] }, { as: asNobody })
    expect(result.stdout).toBe("ptrace-denied\nmem-denied\nsignal-denied\n")
  })

  it("puts the target in a Landlock domain: no ptrace outside it, and with the signal scope no signal", () => {
    // The parent here is the harness, playing the supervisor: /proc/PID/exe needs ptrace read access, mem for writing ptrace attach.
    const probe = [
      "kill -0 $PPID 2>/dev/null && echo signal-ok || echo signal-denied",
      "readlink /proc/$PPID/exe >/dev/null 2>&1 && echo ptrace-ok || echo ptrace-denied",
      "(exec 5<>/proc/$PPID/mem) 2>/dev/null && echo mem-ok || echo mem-denied"
    ].join("; ")
    expect(run(sh(probe)).stdout).toBe("signal-ok\nptrace-ok\nmem-ok\n")
    const confined = run({ ...sh(probe), steps: [{ kind: "landlock", scopes: ["signal", "abstract-unix-socket"] }] })
    expect(confined.stdout).toBe("signal-denied\nptrace-denied\nmem-denied\n")
    const ptraceOnly = run({ ...sh(probe), steps: [{ kind: "landlock", scopes: ["abstract-unix-socket"] }] })
    expect(ptraceOnly.stdout).toBe("signal-ok\nptrace-denied\nmem-denied\n")
  })
})
