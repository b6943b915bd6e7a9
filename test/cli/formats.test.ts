/**
 * The formats on the command line: `kakoi run --policy` and `kakoi supervise`
 * with Docker's profile, `kakoi export --format oci|systemd`, `explain`,
 * `diff` (kakoi JSON, profiles and raw BPF alike) and `lint`, each as a person
 * at a shell sees it: stdout, stderr and the exit status.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { kakoi, lines, tempDir } from "./kakoi.ts"

const docker = new URL("../fixtures/profiles/docker-default.json", import.meta.url).pathname
const podman = new URL("../fixtures/profiles/podman-containers-common.json", import.meta.url).pathname

/** A policy file in a fresh temp dir. */
const file = (content: unknown, name = "policy.json"): string => {
  const path = join(tempDir(), name)
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content))
  return path
}

const denyMkdir = { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }
const denyMkdirFamily = { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }] }

describe("kakoi run and supervise read Docker profiles", () => {
  it("kakoi run --policy docker-default.json runs a shell pipeline", () => {
    const result = kakoi(["run", "--policy", docker, "--", "/bin/sh", "-c", "echo b a | tr ' ' '\\n' | sort | head -1"])
    expect(result.stderr).toBe("")
    expect(result.stdout).toBe("a\n")
    expect(result.status).toBe(0)
  })

  it("kakoi run --caps says which capabilities the profile's includes and excludes see", () => {
    const unshare = ["--", "/bin/sh", "-c", "unshare -U true 2>/dev/null; echo $?"]
    expect(kakoi(["run", "--policy", docker, "--caps", "", ...unshare]).stdout).toBe("1\n")
    expect(kakoi(["run", "--policy", docker, "--caps", "CAP_SYS_ADMIN", ...unshare]).stdout).toBe("0\n")
  })

  it("names the file and the JSON path of a mistake in a profile", () => {
    const path = file({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ nmes: ["read"], action: "SCMP_ACT_ALLOW" }] })
    const result = kakoi(["run", "--policy", path, "--", "true"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toEqual([`kakoi: Invalid seccomp policy in ${JSON.stringify(path)} at syscalls[0].nmes: Unexpected key`])
  })

  it("kakoi supervise runs a worker whose seccomp is a profile's path", () => {
    const dir = tempDir()
    writeFileSync(join(dir, "docker.json"), readFileSync(docker))
    writeFileSync(join(dir, "tree.json"), JSON.stringify({ name: "app", children: [{ name: "w", argv: ["/bin/sh", "-c", "echo from-the-worker"], restart: "temporary", seccomp: "docker.json" }] }))
    const result = kakoi(["supervise", join(dir, "tree.json")])
    expect(result.stdout).toContain("app/w | from-the-worker")
    expect(result.status).toBe(0)
  })
})

describe("kakoi export", () => {
  it("--format oci writes a profile that kakoi reads back to the same BPF", () => {
    const profile = kakoi(["export", "--policy", file(denyMkdirFamily), "--format", "oci"])
    expect(profile.status).toBe(0)
    expect(JSON.parse(profile.stdout)).toMatchObject({ defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"] })
    expect(profile.stderr).toContain("kakoi: not in the profile: attributes.noNewPrivs: ")
    const again = kakoi(["export", "--policy", file(profile.stdout, "profile.json"), "--format", "bpf"])
    const original = kakoi(["export", "--policy", file(denyMkdirFamily), "--format", "bpf"])
    expect(again.bytes.equals(original.bytes)).toBe(true)
  })

  it("--format systemd writes unit lines and lists what they leave out", () => {
    const result = kakoi(["export", "--policy", file({ ...denyMkdirFamily, floor: false }), "--format", "systemd"])
    expect(result.status).toBe(0)
    expect(lines(result.stdout)).toEqual(["SystemCallArchitectures=native", "SystemCallFilter=~mkdir:EPERM mkdirat:EPERM"])
    const floored = kakoi(["export", "--policy", file(denyMkdir), "--format", "systemd"])
    expect(floored.stdout).toContain("# kakoi: not expressed here: floor.tiocsti: ")
    expect(floored.stderr).toContain("kakoi: not in the unit lines: floor.tiocsti: ")
  })

  it("--format oci round-trips a policy that allows ptrace by name once the profile is trusted", () => {
    const tracer = file({ default: { errno: "EPERM" }, rules: [{ action: "allow", syscalls: ["ptrace", "execve", "futex"] }] })
    const profile = file(kakoi(["export", "--policy", tracer, "--format", "oci"]).stdout, "profile.json")
    const original = kakoi(["export", "--policy", tracer, "--format", "bpf"]).bytes
    expect(kakoi(["export", "--policy", profile, "--format", "bpf", "--trust-profile"]).bytes.equals(original)).toBe(true)
    // Untrusted, the floor holds: ptrace is denied.
    expect(lines(kakoi(["explain", "--policy", profile, "--syscall", "ptrace"]).stdout)[0]).toBe("ptrace(0x0) on x86_64 (nr 101): errno EPERM")
  })

  it("rejects an unknown format", () => {
    const result = kakoi(["export", "--policy", file(denyMkdir), "--format", "yaml"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)[0]).toBe('kakoi: --format takes bpf, pfc, json, oci, systemd, got "yaml"')
  })
})

describe("kakoi explain", () => {
  it("answers from the compiled filter and names the rule", () => {
    const result = kakoi(["explain", "--policy", file({ default: "allow", rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }] }), "--syscall", "socket", "--args", "0x100000002,1,0"])
    expect(result.status).toBe(0)
    expect(lines(result.stdout)).toEqual([
      "socket(0x100000002, 0x1, 0x0) on x86_64 (nr 41): errno EACCES",
      "  decided by rules[0]: errno EACCES when (arg0 & 0xffffffff) == 0x2"
    ])
  })

  it("names the floor and the profile entry", () => {
    const floor = kakoi(["explain", "--policy", file(denyMkdir), "--syscall", "io_uring_setup"])
    expect(lines(floor.stdout)[1]).toMatch(/^ {2}decided by the io_uring rule \(floor\.io_uring\): errno ENOSYS; /)
    const profile = kakoi(["explain", "--policy", docker, "--caps", "", "--syscall", "clone3"])
    expect(lines(profile.stdout)).toEqual([
      "clone3(0x0) on x86_64 (nr 435): errno ENOSYS",
      "  decided by rules[12], the profile's syscalls[20]: errno ENOSYS",
      "  not applied: the profile's syscalls[17]: needs CAP_SYS_ADMIN, which the child does not hold"
    ])
  })

  it("answers for another ABI: x32 calls carry AUDIT_ARCH_X86_64 and the x32 bit, i386 left out meets badArch", () => {
    expect(lines(kakoi(["explain", "--policy", docker, "--caps", "", "--syscall", "read", "--arch", "x32"]).stdout)[0]).toBe("read(0x0) on x32 (nr 1073741824): allow")
    expect(lines(kakoi(["explain", "--policy", docker, "--caps", "", "--syscall", "read", "--arch", "x86"]).stdout)).toEqual([
      "read(0x0) on x86 (nr 3): kill-thread",
      '  decided by the bad-architecture action: x86 is not among the filter\'s architectures (add it to "arches")',
      `  not applied: the profile's archMap: architecture x86 left out: "socket"'s argument conditions (syscalls[2].args) cannot hold through its multiplexer (socketcall or ipc); its calls get the badArch action`
    ])
  })

  it("names an unknown syscall", () => {
    const result = kakoi(["explain", "--policy", file(denyMkdir), "--syscall", "mkdri"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)[0]).toBe('kakoi: Unknown syscall "mkdri" on x86_64: did you mean "mkdir"?')
  })
})

describe("kakoi diff", () => {
  it("lists the calls two policies decide differently, and exits with 1", () => {
    const result = kakoi(["diff", file(denyMkdir), file(denyMkdirFamily)])
    expect(lines(result.stdout)).toEqual(["x86_64 mkdirat (258): allow vs errno EPERM"])
    expect(result.status).toBe(1)
  })

  it("finds argument-conditioned differences with representative arguments", () => {
    const socketRule = (value: number) => ({ default: "allow", rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value }] }] })
    expect(lines(kakoi(["diff", file(socketRule(2)), file(socketRule(10))]).stdout)).toEqual([
      "x86_64 socket (41) with args 0x2: errno EACCES vs allow"
    ])
  })

  it("compares a policy with a raw BPF program and a profile with a profile", () => {
    const bpf = file("", "filter.bpf")
    expect(kakoi(["export", "--policy", file(denyMkdir), "--format", "bpf", "--out", bpf]).status).toBe(0)
    const same = kakoi(["diff", file(denyMkdir), bpf])
    expect(same.stdout).toBe("")
    expect(same.status).toBe(0)
    const profiles = kakoi(["diff", docker, podman, "--caps", ""])
    expect(profiles.status).toBe(1)
    expect(lines(profiles.stdout)).toContain("x86_64 create_module (174): errno EPERM vs errno ENOSYS")
  })
})

describe("kakoi lint", () => {
  it("names the file and the profile's JSON path of a name libseccomp does not know in a denying entry", () => {
    const path = file({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["getpid"], action: "SCMP_ACT_ERRNO" }, { names: ["read", "mkdri"], action: "SCMP_ACT_ERRNO" }] })
    const result = kakoi(["lint", path])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toEqual([`kakoi: Invalid seccomp policy in ${JSON.stringify(path)} at syscalls[1].names[1]: Unknown syscall "mkdri": did you mean "mkdir"?`])
  })


  it("prints the warnings and exits with 1", () => {
    const result = kakoi(["lint", file(denyMkdir)])
    expect(lines(result.stdout)).toEqual(['warning: rules[0] denies "mkdir" but "mkdirat" of the same family is allowed (allow, by the default action): deny "family:mkdir" to cover every member'])
    expect(result.status).toBe(1)
  })

  it("prints notes on how a profile was read, and exits with 0 when nothing warns", () => {
    const result = kakoi(["lint", file(denyMkdirFamily)])
    expect(result.stdout).toBe("")
    expect(result.status).toBe(0)
    const profile = kakoi(["lint", docker, "--caps", ""])
    expect(profile.stdout).toContain('note: rules[0] is skipped for "statmount": libseccomp 2.5.4 does not know it (the profile\'s syscalls[0])')
    expect(profile.stdout).toContain("note: syscalls[17] is not applied: needs CAP_SYS_ADMIN, which the child does not hold")
  })
})
