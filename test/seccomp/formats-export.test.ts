/**
 * Export to the Docker/OCI profile format and to systemd unit lines. Round
 * trip: a policy exported as a profile and read back compiles to the same BPF,
 * byte for byte, for policies with conditions, allow lists, other ABIs and the
 * shipped real profiles. systemd: what fits becomes lines, the rest is listed.
 */
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import { arg, compile, launcherSyscalls, policy, type OciProfile, type Policy } from "../../plugins/seccomp/mod.ts"
import { exportOci, profileText } from "../../plugins/seccomp/formats/oci-export.ts"
import { exportSystemd } from "../../plugins/seccomp/formats/systemd.ts"

const run = <A, E>(effect: Effect.Effect<A, E, any>): Promise<A> => Effect.runPromise(Effect.provide(effect, layer) as Effect.Effect<A, E>)
const fixture = (name: string): OciProfile => JSON.parse(readFileSync(new URL(`../fixtures/profiles/${name}`, import.meta.url), "utf8")) as OciProfile

/** Exported, written as text, parsed and read back as a user would: the same BPF bytes. */
const roundTrip = async (original: Policy): Promise<void> => {
  const { profile } = await run(exportOci(original))
  const back = policy(JSON.parse(profileText(profile)) as OciProfile, { caps: [], floor: false })
  expect(Buffer.from((await run(compile(back))).bpf).equals(Buffer.from((await run(compile(original))).bpf))).toBe(true)
}

describe("exportOci() round trip", () => {
  it("a deny list with argument conditions, masked compares and a family", () =>
    roundTrip(policy((rule) => {
      rule.errno("EPERM", "family:mkdir")
      rule.errno("EACCES", "socket", arg(0).eq(2))
      rule.errno("EPERM", "clone", arg(0).masked(0x10000000, 0x10000000))
      rule.kill("kexec_load")
      rule.errno("EINVAL", "getpriority", arg(0).ge(5), arg(1).lt(3))
    }, { default: "allow" })))

  it("an allow list under an errno default", () =>
    roundTrip(policy((rule) => {
      rule.allow("read", "write", "exit_group", "brk", "mmap", ...launcherSyscalls)
      rule.allow("personality", arg(0).eq(0xffffffff))
      rule.trap("uname")
      rule.log("getpid")
    }, { default: { errno: "ENOSYS" } })))

  it("a kill default with another ABI", () =>
    roundTrip(policy((rule) => rule.allow("read", "write", "execve", "futex", "exit_group"), { default: "kill", arches: ["x32"] })))

  it("64-bit values beyond 2^53, exactly", async () => {
    const original = policy((rule) => rule.errno("EPERM", "kcmp", arg(3).eq(0xffff_ffff_ffff_fff0n)), { default: "allow" })
    const { profile } = await run(exportOci(original))
    expect(profileText(profile)).toContain('"value": 18446744073709551600')
  })

  it.each(["docker-default.json", "podman-containers-common.json"])("the shipped %s", (name) => roundTrip(policy(fixture(name), { caps: ["CAP_CHOWN"] })))

  it("carries the floor into the profile, so Docker enforces it too", async () => {
    const { profile } = await run(exportOci(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] })))
    const comments = (profile.syscalls ?? []).map((entry) => entry.comment ?? "")
    expect(comments.some((comment) => comment.startsWith("kakoi floor (floor.tiocsti)"))).toBe(true)
    expect(comments.some((comment) => comment.startsWith("kakoi io_uring rule"))).toBe(true)
    expect(profile.syscalls).toContainEqual(expect.objectContaining({ names: ["ptrace"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }))
  })

  it("lists what a profile cannot carry", async () => {
    const { remainder } = await run(exportOci(policy({ default: "allow", attributes: { optimize: 2, badArch: { errno: "ENOSYS" } }, rules: [{ action: "notify", syscalls: ["uname"] }] })))
    expect(remainder.map((entry) => entry.path)).toEqual(["attributes.badArch", "attributes.noNewPrivs", "attributes.optimize", "rules"])
  })
})

describe("exportSystemd()", () => {
  it("a deny list with errnos and kills", async () => {
    const { lines, remainder } = await run(exportSystemd(policy({
      default: "allow",
      floor: false,
      rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }, { action: "kill", syscalls: ["kexec_load"] }]
    })))
    expect(lines).toEqual(["SystemCallArchitectures=native", "SystemCallFilter=~mkdir:EPERM mkdirat:EPERM kexec_load"])
    expect(remainder).toEqual([])
  })

  it("an allow list with SystemCallErrorNumber=, and what does not fit", async () => {
    const { lines, remainder } = await run(exportSystemd(policy((rule) => {
      rule.allow("read", "write", "exit_group", ...launcherSyscalls)
      rule.allow("socket", arg(0).eq(1))
      rule.trap("uname")
    }, { default: { errno: "EPERM" }, arches: ["x32"] })))
    expect(lines).toEqual(["SystemCallArchitectures=native x32", "SystemCallFilter=read write exit_group execve", "SystemCallErrorNumber=EPERM"])
    expect(remainder).toEqual([
      { path: "rules[1].syscalls[0]", reason: 'allow for "socket" only for some arguments: systemd\'s SystemCallFilter= has no argument conditions' },
      ...["io_uring_setup", "io_uring_enter", "io_uring_register"].map((name) => ({ path: "floor.io_uring", reason: `errno ENOSYS for "${name}" inside an allow list: systemd fails every unlisted call alike (errno EPERM)` })),
      { path: "rules[2].syscalls[0]", reason: 'trap for "uname" inside an allow list: systemd fails every unlisted call alike (errno EPERM)' },
      { path: "rules", reason: '"socket" is left out of the allow list (its rules have conditions), so it gets errno EPERM' }
    ])
  })

  it("lists the floor's ioctl rules, which systemd cannot say", async () => {
    const { remainder } = await run(exportSystemd(policy({ default: "allow" })))
    expect(remainder.map((entry) => entry.path)).toContain("floor.tiocsti")
  })

  it("refuses a default systemd has no word for", async () => {
    const error = await run(Effect.flip(exportSystemd(policy({ default: "trap" }))))
    expect(error.reason).toBe("Unsupported")
    expect(error.path).toBe("default")
  })
})
