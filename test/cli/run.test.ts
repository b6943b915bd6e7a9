/**
 * `kakoi run` end to end: each policy option on a real command, resource
 * limits, --cwd, --policy files combined with options, exit statuses and
 * inherited stdio.
 */
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { launcherSyscalls } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"
import { escaperArgv, noneLeft, tagged } from "../helpers/processes.ts"
import { asExecutable, kakoi, lines, startKakoi, tempDir } from "./kakoi.ts"

/** What /bin/true (dynamically linked, glibc) needs; the same list as test/conformance/seccomp.ts. */
const trueNeeds = [
  "brk", "arch_prctl", "mmap", "munmap", "mprotect", "access", "openat", "newfstatat", "fstat", "read", "close",
  "pread64", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom", "exit_group"
]
const allowlist = [...trueNeeds, ...launcherSyscalls].join(",")

const killedBySigsys = /^kakoi: Killed by the seccomp filter \(SIGSYS\)/

describe("kakoi run: policy options", () => {
  it("--errno fails the syscalls with the errno, and the command reports it its own way", () => {
    const dir = join(tempDir(), "x")
    const result = kakoi(["run", "--errno", "EPERM:mkdir,mkdirat", "--", "mkdir", dir])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/^mkdir: .*Operation not permitted\n$/)
    expect(result.stderr).not.toContain("kakoi:")
    expect(existsSync(dir)).toBe(false)
  })

  it("kakoi run exits with 128+SIGSYS and names the syscall when --trap ends the command", () => {
    const result = kakoi(["run", "--trap", "uname", "--", "uname"])
    expect(result.status).toBe(128 + 31)
    expect(result.stdout).toBe("")
    expect(lines(result.stderr)).toEqual([expect.stringMatching(killedBySigsys)])
    expect(result.stderr).toContain('"uname" is trapped')
  })

  it("--kill kills the process at the syscall (exit 159) and says which rule did it", () => {
    const result = kakoi(["run", "--kill", "uname", "--", "uname"])
    expect(result.status).toBe(159)
    expect(result.stdout).toBe("")
    expect(lines(result.stderr)).toEqual([expect.stringMatching(killedBySigsys)])
    expect(result.stderr).toContain('"uname" is killed by rules[0]')
  })

  it("--kill-thread ends a single-threaded command with SIGSYS", () => {
    const result = kakoi(["run", "--kill-thread", "uname", "--", "uname"])
    expect(result.status).toBe(159)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(killedBySigsys)])
    expect(result.stderr).toContain("uname")
  })

  it("--log lets the syscall through", () => {
    const result = kakoi(["run", "--log", "uname", "--", "uname"])
    expect(result).toMatchObject({ status: 0, stdout: "Linux\n", stderr: "" })
  })

  it("--notify reports each trapped call on stderr and fails it with EPERM", () => {
    const dir = join(tempDir(), "x")
    const result = kakoi(["run", "--notify", "mkdir,mkdirat", "--", "mkdir", dir])
    expect(result.status).toBe(1)
    expect(existsSync(dir)).toBe(false)
    expect(result.stderr).toMatch(/^kakoi: notify: pid \d+ mkdir(at)? \(\d+\) args 0x[0-9a-f]+(, 0x[0-9a-f]+){5}: denied with EPERM$/m)
    expect(result.stderr).toContain("Operation not permitted")
  })

  it("--notify with --observe reports the call and lets it run", () => {
    const result = kakoi(["run", "--notify", "uname", "--observe", "--", "uname"])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe("Linux\n")
    expect(result.stderr).toMatch(/^kakoi: notify: pid \d+ uname \(63\) args .*: allowed$/m)
  })

  it("--default errno:EPERM denies what --allow does not name; repeated --allow options add up", () => {
    // uname, unlike /bin/true, takes a glibc lock (futex) on its way out.
    const denied = kakoi(["run", "--default", "errno:EPERM", "--allow", allowlist, "--allow", "write,futex", "--", "uname"])
    expect(denied.status).toBe(1)
    expect(denied.stderr).toContain("Operation not permitted")

    const allowed = kakoi(["run", "--default", "errno:EPERM", "--allow", allowlist, "--allow", "write,futex", "--allow", "uname", "--", "uname"])
    expect(allowed).toMatchObject({ status: 0, stdout: "Linux\n", stderr: "" })
  })

  it("--default kill with a strict allowlist runs /bin/true", () => {
    expect(kakoi(["run", "--default", "kill", "--allow", allowlist, "--", "/bin/true"])).toMatchObject({ status: 0, stdout: "", stderr: "" })
  })

  it("--default kill kills a command that steps outside the allowlist, blaming the default action", () => {
    const result = kakoi(["run", "--default", "kill", "--allow", allowlist, "--", "uname"])
    expect(result.status).toBe(159)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(killedBySigsys)])
    expect(result.stderr).toContain("default action")
  })

  it("repeated --errno options each add a rule, with errno names or numbers", () => {
    const dir = join(tempDir(), "x")
    const result = kakoi(["run", "--errno", "13:mkdir,mkdirat", "--errno", "EPERM:uname", "--", "sh", "-c", `mkdir ${dir}; uname`])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Permission denied")
    expect(result.stderr).toContain("Operation not permitted")
    expect(existsSync(dir)).toBe(false)
  })
})

describe("kakoi run: --policy files", () => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(join(import.meta.dirname, "../fixtures/syscall-probe.c"))
  })

  it("applies the file's argument conditions, then the rules of options", () => {
    const file = join(tempDir(), "policy.json")
    writeFileSync(
      file,
      JSON.stringify({ default: "allow", rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }] })
    )
    // socket(AF_INET) is denied by the file, socket(AF_UNIX) is not, getppid (110) by --errno.
    const script = `${probe} 41 2 1 0; ${probe} 41 1 1 0; ${probe} 110`
    const result = kakoi(["run", "--policy", file, "--errno", "EPERM:getppid", "--", "sh", "-c", script])
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    expect(lines(result.stdout)).toEqual(["errno 13", expect.stringMatching(/^ok \d+$/), "errno 1"])
  })

  it("--default replaces the file's default action", () => {
    const file = join(tempDir(), "policy.json")
    writeFileSync(file, JSON.stringify({ default: "allow", rules: [{ action: "allow", syscalls: [...trueNeeds, ...launcherSyscalls, "write", "futex"] }] }))
    const result = kakoi(["run", "--policy", file, "--default", "errno:EPERM", "--", "uname"])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Operation not permitted")
  })
})

describe("kakoi run: process options", () => {
  it("--rlimit sets soft and hard limits, and repeats", () => {
    const result = kakoi(["run", "--rlimit", "nofile=32", "--", "sh", "-c", "ulimit -n"])
    expect(result).toMatchObject({ status: 0, stdout: "32\n" })

    const both = kakoi(["run", "--rlimit", "nofile=32:64", "--rlimit", "cpu=5", "--", "sh", "-c", "ulimit -Sn; ulimit -Hn; ulimit -t"])
    expect(both).toMatchObject({ status: 0, stdout: "32\n64\n5\n", stderr: "" })
  })

  it("--cwd runs the command in the directory; the last --cwd wins", () => {
    const [first, second] = [tempDir(), tempDir()]
    expect(kakoi(["run", "--cwd", first, "--", "pwd"])).toMatchObject({ status: 0, stdout: `${first}\n` })
    expect(kakoi(["run", "--cwd", first, "--cwd", second, "--", "pwd"])).toMatchObject({ status: 0, stdout: `${second}\n` })
  })

  it("passes arguments through untouched", () => {
    const result = kakoi(["run", "--", "printf", "%s|", "a b", "--help", "-c", ""])
    expect(result).toMatchObject({ status: 0, stdout: "a b|--help|-c||", stderr: "" })
  })

  it("inherits stdin: cat echoes what is piped into kakoi", () => {
    expect(kakoi(["run", "--", "cat"], { input: "hello\nworld\n" })).toMatchObject({ status: 0, stdout: "hello\nworld\n" })
  })
})

describe("kakoi run: exit status", () => {
  it("passes the command's exit status through", () => {
    expect(kakoi(["run", "--", "sh", "-c", "exit 7"])).toMatchObject({ status: 7, stderr: "" })
  })

  it("exits with 128+signal when a signal ends the command, without a seccomp diagnosis", () => {
    expect(kakoi(["run", "--", "sh", "-c", "kill -TERM $$"])).toMatchObject({ status: 143, stderr: "" })
  })

  it("forwards SIGTERM to the command and exits 143 when it dies of it", async () => {
    const { pid, exit } = await startKakoi(["run", "--", "sh", "-c", "echo ready; exec sleep 30"])
    process.kill(pid, "SIGTERM")
    expect(await exit).toBe(143)
  })

  it("forwards SIGINT from a parent to the command and exits 130 when it dies of it", async () => {
    const { pid, exit } = await startKakoi(["run", "--", "sh", "-c", "echo ready; exec sleep 30"])
    process.kill(pid, "SIGINT")
    expect(await exit).toBe(130)
  })

  it("after a forwarded SIGINT, exits with the command's own status when it handles the signal", async () => {
    const { pid, exit } = await startKakoi(["run", "--", "sh", "-c", `trap "exit 7" INT; echo ready; while :; do sleep 0.1; done`])
    process.kill(pid, "SIGINT")
    expect(await exit).toBe(7)
  })

  // `nohup kakoi run ...` must survive SIGHUP as it does without kakoi, though Node sets SIGHUP back to the default at startup.
  it("under nohup, the command keeps SIGHUP ignored and kakoi itself survives one", async () => {
    const own = await asExecutable(`trap '' HUP; exec "$0" run -- sh -c 'grep -c KAKOI_ /proc/self/environ; kill -HUP $$; echo survived'`)
    expect(own).toEqual({ status: 0, stdout: "0\nsurvived\n" })
    const hungUp = await asExecutable(`trap '' HUP; "$0" run -- sh -c 'sleep 1; echo slept' & sleep 0.5; kill -HUP $!; wait $!`)
    expect(hungUp).toEqual({ status: 0, stdout: "slept\n" })
  })

  // The shell lines must use no variable of their own: a caller's exported one of the same name would reach the command changed.
  it("the executable's shell lines pass the caller's environment on unchanged", async () => {
    const script = `export line=mine; "$0" run -- sh -c 'printf "%s|%s\\n" "$line" "\${KAKOI_IGNORED_SIGNALS-unset}"'`
    expect(await asExecutable(script)).toEqual({ status: 0, stdout: "mine|unset\n" })
  })

  // A mount namespace without /proc (a bare container): the shell lines find no SigIgn and must say nothing about it.
  it("the executable's shell lines start kakoi quietly where /proc is not mounted", async () => {
    const script = `KAKOI_IGNORED_SIGNALS=ffff unshare -m sh -c 'umount -l /proc && "$1" syscall mkdir' sh "$0" 2>&1`
    expect(await asExecutable(script)).toEqual({ status: 0, stdout: "83\n" })
  })

  // Where /bin/sh is bash, which ignores SIGQUIT in itself: Ctrl-\ must still reach the command, unless the starter ignored it.
  it("the executable's shell lines run by bash hand over what kakoi was started ignoring, not bash's own SIGQUIT", async () => {
    const status = `sh -c 'grep SigIgn /proc/self/status'`
    expect(await asExecutable(`bash "$0" run -- ${status}`)).toEqual({ status: 0, stdout: "SigIgn:\t0000000000000000\n" })
    expect(await asExecutable(`trap '' QUIT HUP; bash "$0" run -- ${status}`)).toEqual({ status: 0, stdout: "SigIgn:\t0000000000000005\n" })
  })

  it("without nohup, SIGHUP sent to kakoi is passed on and ends the command (129)", async () => {
    expect(await asExecutable(`"$0" run -- sh -c 'sleep 5' & sleep 0.5; kill -HUP $!; wait $!`)).toEqual({ status: 129, stdout: "" })
  })

  it("leaves nothing behind when kakoi run is SIGKILLed, though the command and its setsid grandchild cleared their parent-death signals", async () => {
    const marker = `kakoi-cli-escaper-${process.pid}`
    const { pid, exit } = await startKakoi(["run", "--", ...escaperArgv(marker, "ready")])
    // kakoi, the init (it shares kakoi's memory, so its argv), the command and its grandchild.
    expect(tagged(marker)).toHaveLength(4)
    process.kill(pid, "SIGKILL")
    await exit
    expect(await noneLeft(marker)).toBe(true)
  })

  it("at --containment process-group the same grandchild escapes (the weaker level, chosen explicitly)", async () => {
    const marker = `kakoi-cli-loose-${process.pid}`
    const { pid, exit } = await startKakoi(["run", "--containment", "process-group", "--", "sh", "-c", `setsid sh -c 'sleep 30; :' ${marker} </dev/null >/dev/null 2>&1 & sleep 0.2; echo ready; exec sleep 30`])
    process.kill(pid, "SIGKILL")
    await exit
    expect(tagged(marker)).toHaveLength(1)
    await noneLeft(marker, 0)
  })
})

describe("kakoi run's own options", () => {
  it("end at the first word that is not an option, so the command keeps its flags", () => {
    const result = kakoi(["run", "--errno", "EPERM:mkdir,mkdirat", "sh", "-c", "echo $0 $1", "a", "b"])
    expect(result.stdout).toBe("a b\n")
    expect(result.status).toBe(0)
  })
})
