/**
 * The interpreters for real: a C harness (program-harness.c) maps the
 * interpreter and a compiled block and clones into them as an adapter does;
 * the target's output, the wait status and the control-channel report show
 * what the program did. x86_64 runs natively; aarch64 runs the same tests in
 * a static aarch64 build of the harness under qemu-aarch64 (Debian packages
 * qemu-user, gcc-aarch64-linux-gnu), where the harness clones without CLONE_VM
 * (qemu-user cannot emulate CLONE_VM without CLONE_THREAD) and the targets
 * are this machine's own x86_64 programs, which qemu hands to the kernel's execve.
 * qemu-user 7.2 does not emulate seccomp(2) (ENOSYS): there the seccomp tests
 * show that the ops run and report in order, not that a filter is installed.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { archTable } from "../../core/arch/mod.ts"
import { opField, opSize } from "../../core/program/format.ts"
import type { ProgramInput } from "../../core/program/mod.ts"
import type { PreExecStep } from "../../core/steps.ts"
import { machines, runIn, type Run } from "./program-harness.ts"

const dir = mkdtempSync(join(tmpdir(), "kakoi-program-run-"))

/** Wait status of a normal exit with `code`. */
const exited = (code: number): number => code << 8

const allowAll = (): Uint8Array => {
  const bpf = new Uint8Array(8)
  const view = new DataView(bpf.buffer)
  view.setUint16(0, 0x06, true) // BPF_RET | BPF_K
  view.setUint32(4, 0x7fff0000, true) // SECCOMP_RET_ALLOW
  return bpf
}

describe.each(machines)("the $arch interpreter", (machine) => {
  const { errno } = archTable(machine.arch)
  const { seccomp } = machine
  let harness: ReadonlyArray<string> = []
  beforeAll(() => {
    harness = machine.build()
  })
  const run = (input: Partial<ProgramInput>, pidAt?: number): Run => runIn(machine, harness, input, pidAt === undefined ? {} : { pidAt })

  it("execs the target through PATH with exactly the env it was given", () => {
    const result = run({ argv: ["env"], env: ["PATH=/nonexistent:/usr/bin:/bin", "KAKOI_TEST=a b"] })
    expect(result.stdout).toBe("PATH=/nonexistent:/usr/bin:/bin\nKAKOI_TEST=a b\n")
    expect(result.status).toBe(exited(0))
    expect(result.decoded).toEqual({ installingListener: false, started: false, failure: undefined })
  })

  it("reports a failing chdir with its errno and exits 127", () => {
    const result = run({ steps: [{ kind: "chdir", path: "/no/such/dir" }] })
    expect(result.status).toBe(exited(127))
    expect(result.decoded.failure).toEqual({ stage: "chdir", errno: errno.ENOENT, subject: "/no/such/dir" })
  })

  it("runs the steps: chdir, umask, rlimit, setsid, no-new-privs", () => {
    const steps: ReadonlyArray<PreExecStep> = [
      { kind: "chdir", path: "/tmp" }, { kind: "umask", mask: 0o27 },
      { kind: "rlimit", resource: "nofile", soft: 77n, hard: 99n }, { kind: "setsid" }, { kind: "no-new-privs" }
    ]
    const script = 'pwd; umask; ulimit -Sn; ulimit -Hn; grep -E "^NoNewPrivs" /proc/self/status; [ "$(ps -o sid= -p $$)" -eq $$ ] && echo leader'
    const result = run({ argv: ["/bin/sh", "-c", script], steps })
    expect(result.stdout).toBe("/tmp\n0027\n77\n99\nNoNewPrivs:\t1\nleader\n")
  })

  // Handlers never survive execve; what a target can inherit is ignored dispositions and the mask.
  it("resets signals to default, clears the mask, and leaves only fds 0-2 to the target", () => {
    const result = run({ argv: ["/bin/sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; ls /proc/self/fd"], signalsToDefault: [10, 13] })
    // ls holds its own directory fd 3.
    expect(result.stdout).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n0\n1\n2\n3\n")
  })

  it("keeps an ignored signal ignored when it is not in signalsToDefault", () => {
    const result = run({ argv: ["/bin/sh", "-c", "grep -E '^SigIgn' /proc/self/status"], signalsToDefault: [10] })
    expect(result.stdout).toBe("SigIgn:\t0000000000001000\n") // SIGPIPE (13)
  })

  it("fails the PATH search with ENOENT, or EACCES when a candidate was not executable", () => {
    const bin = join(dir, "bin")
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, "kakoi-not-executable"), "#!/bin/sh\n")
    chmodSync(join(bin, "kakoi-not-executable"), 0o644)
    expect(run({ argv: ["kakoi-no-such-command"] }).decoded.failure).toEqual({ stage: "resolve", errno: errno.ENOENT, subject: "kakoi-no-such-command" })
    const denied = run({ argv: ["kakoi-not-executable"], env: [`PATH=/nonexistent:${bin}:/bin`] })
    expect(denied.decoded.failure).toEqual({ stage: "resolve", errno: errno.EACCES, subject: "kakoi-not-executable" })
    expect(denied.status).toBe(exited(127))
  })

  it("goes on after an EACCES candidate and runs a later one", () => {
    const bin = join(dir, "bin2")
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, "echo"), "#!/bin/sh\n")
    chmodSync(join(bin, "echo"), 0o644)
    const result = run({ argv: ["echo", "found"], env: [`PATH=${bin}:/bin`] })
    expect(result.stdout).toBe("found\n")
  })

  it("fails at once on an errno other than ENOENT, ENOTDIR and EACCES", () => {
    const file = join(dir, "garbage")
    writeFileSync(file, "\x7fELFnot really")
    chmodSync(file, 0o755)
    expect(run({ argv: [file] }).decoded.failure).toEqual({ stage: "exec", errno: errno.ENOEXEC, subject: file })
  })

  it("exits 1 without a report when the parent is not the expected one", () => {
    const result = run({ parentDeathSignal: 9, parentPid: 1 })
    expect(result.status).toBe(exited(1))
    expect(result.report.byteLength).toBe(0)
  })

  it("goes on when the parent is the expected one", () => {
    // Op 1 is the getppid check (op 0 sets the death signal); the harness writes its pid as expected value.
    const result = run({ argv: ["/bin/sh", "-c", "echo ok"], parentDeathSignal: 9, parentPid: 0 }, opSize + opField.expected)
    expect(result.stdout).toBe("ok\n")
    expect(result.status).toBe(exited(0))
  })

  it("reports an invalid filter as a seccomp failure", () => {
    const bad = new Uint8Array(8).fill(0xff)
    const result = run({ steps: [{ kind: "no-new-privs" }, { kind: "seccomp", bpf: bad }] })
    expect(result.decoded.failure).toEqual({ stage: "seccomp", errno: seccomp ? errno.EINVAL : errno.ENOSYS, subject: "filter" })
  })

  // Two expectations, one per machine, rather than a skipped test: both show the record comes first.
  it("announces the listener, installs it on fd 4 and waits for the go-ahead byte (under qemu: reports the install's ENOSYS)", () => {
    const result = run({ argv: ["/bin/sh", "-c", "grep -E '^Seccomp:' /proc/self/status; ls /proc/self/fd"], steps: [{ kind: "no-new-privs" }, { kind: "seccomp", bpf: allowAll(), listener: true }] })
    if (seccomp) {
      expect(result.listener).toBe("ok")
      // The listener is close-on-exec: the target has 0-2 (and ls its directory fd 3).
      expect(result.stdout).toBe("Seccomp:\t2\n0\n1\n2\n3\n")
      expect(result.decoded).toEqual({ installingListener: true, started: false, failure: undefined })
      expect(result.status).toBe(exited(0))
    } else {
      expect(result.decoded).toEqual({ installingListener: true, started: false, failure: { stage: "seccomp", errno: errno.ENOSYS, subject: "filter with listener" } })
      expect(result.status).toBe(exited(127))
    }
  })
})
