/**
 * Policies that hold, for any adapter: each bypass found by attacking kakoi's
 * policies, run for real under the filter, the kernel deciding. High-bit
 * garbage in 32-bit arguments, io_uring instead of mkdir, the other members of
 * a family, i386 `int 0x80`, the floor (TIOCSTI on a pty, ptrace, pidfd_getfd,
 * process_vm_readv), and a filter too large for the kernel. The C programs are
 * in test/fixtures, built by the test.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { policy, seccomp, type PolicyJson, type RuleJson } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

export interface SeccompHoldApi {
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
}

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}.c`, import.meta.url))
// x86_64 numbers of the calls probed (until core/arch/x86_64.ts exports them).
const SYS = { open: 2, umask: 95, creat: 85, mkdir: 83, mkdirat: 258, openat: 257, openat2: 437, socket: 41, swapon: 167 }
const [EPERM, EACCES, EFAULT, ENOSYS] = [1, 13, 14, 38]
const garbage = 0xdead_beef_0000_0000n

export const seccompHoldSuite = (api: SeccompHoldApi): void => {
  const bin = { probe: "", staticProbe: "", uring: "", floor: "", int80: "" }
  beforeAll(() => {
    bin.probe = buildC(fixture("syscall-probe"))
    // Static: denying every open leaves a dynamic program no way to load libc.
    bin.staticProbe = buildC(fixture("syscall-probe"), ["-static"])
    bin.uring = buildC(fixture("io-uring-mkdirat"))
    bin.floor = buildC(fixture("floor-probe"))
    bin.int80 = buildC(fixture("int80"))
  })

  const under = (json: PolicyJson): RunOptions<any, any> => ({ plugins: [seccomp(policy(json))] })
  const deny = (rules: ReadonlyArray<RuleJson>, json: Partial<PolicyJson> = {}): PolicyJson => ({ default: "allow", ...json, rules })
  /** The probe's one line for syscall `nr` with `args` under `json`. */
  const probe = async (json: PolicyJson, nr: number, ...args: ReadonlyArray<bigint | number>): Promise<string> => probeWith(bin.probe, json, nr, ...args)
  const probeWith = async (program: string, json: PolicyJson, nr: number, ...args: ReadonlyArray<bigint | number>): Promise<string> => {
    const result = await api.run([program, String(nr), ...args.map((value) => `0x${value.toString(16)}`)], under(json))
    expect(result.exitCode, result.stderr).toBe(0)
    return result.stdout.trim()
  }
  const line = async (argv: ReadonlyArray<string>, json: PolicyJson, containment?: "process-group"): Promise<string> => {
    const result = await api.run(argv, containment === undefined ? under(json) : { ...under(json), containment })
    expect(result.exitCode, result.stderr).toBe(0)
    return result.stdout.trim()
  }

  describe("32-bit arguments compare on the bits the kernel reads", () => {
    it("socket(0x1_0000_0002, ...) is AF_INET to the kernel and hits the AF_INET deny rule", async () => {
      const inet = deny([{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }])
      expect(await probe(inet, SYS.socket, 0x1_0000_0002n, 1, 0)).toBe(`errno ${EACCES}`)
      expect(await probe(inet, SYS.socket, garbage | 2n, 1, 0)).toBe(`errno ${EACCES}`)
      expect(await probe(inet, SYS.socket, garbage | 1n, 1, 0)).toMatch(/^ok \d+$/)
    })

    // umask(int): harmless to call with any value; the kernel uses the low bits.
    it.each([
      ["==", [false, true, false]],
      ["!=", [true, false, true]],
      ["<", [true, false, false]],
      ["<=", [true, true, false]],
      [">", [false, false, true]],
      [">=", [false, true, true]]
    ] as const)("%s compares the low 32 bits of umask's argument with 0o10 whatever the high half holds", async (op, expected) => {
      const json = deny([{ action: "errno", errno: "EPERM", syscalls: ["umask"], args: [{ index: 0, op, value: 8 }] } as RuleJson])
      const outcomes = []
      for (const value of [7n, 8n, 9n]) outcomes.push((await probe(json, SYS.umask, garbage | value)) === `errno ${EPERM}`)
      expect(outcomes).toEqual(expected)
    })

    it("masked== ignores the high half too", async () => {
      const json = deny([{ action: "errno", errno: "EPERM", syscalls: ["umask"], args: [{ index: 0, op: "masked==", mask: "0xffffffffffffffff", value: 0o22 }] }])
      expect(await probe(json, SYS.umask, garbage | 0o22n)).toBe(`errno ${EPERM}`)
      expect(await probe(json, SYS.umask, garbage | 0o27n)).toMatch(/^ok/)
    })

    it("value -100 (AT_FDCWD) matches an int dfd sign-extended, zero-extended or with any high half", async () => {
      const json = deny([{ action: "errno", errno: "EPERM", syscalls: ["mkdirat"], args: [{ index: 0, op: "==", value: -100 }] }])
      for (const dfd of [0xffff_ffff_ffff_ff9cn, 0x0000_0000_ffff_ff9cn, 0x1234_5678_ffff_ff9cn]) {
        expect(await probe(json, SYS.mkdirat, dfd, 0, 0)).toBe(`errno ${EPERM}`)
      }
      // Another dfd reaches the kernel, which faults on the NULL path.
      expect(await probe(json, SYS.mkdirat, 3, 0, 0)).toBe(`errno ${EFAULT}`)
    })

    it("a umode_t mode compares on its low 16 bits", async () => {
      const json = deny([{ action: "errno", errno: "EPERM", syscalls: ["mkdirat"], args: [{ index: 2, op: "==", value: 0o700 }] }])
      expect(await probe(json, SYS.mkdirat, 3, 0, 0x1_0001_0000n | 0o700n)).toBe(`errno ${EPERM}`)
      expect(await probe(json, SYS.mkdirat, 3, 0, 0o755)).toBe(`errno ${EFAULT}`)
    })

    it("a stated width narrows a syscall the table does not know", async () => {
      // swapon(const char *, int flags) is not in the width table: state 32 for its flags.
      const json = deny([{ action: "errno", errno: "EPERM", syscalls: ["swapon"], args: [{ index: 1, op: "==", value: 5, width: 32 }] }])
      expect(await probe(json, SYS.swapon, 0, garbage | 5n)).toBe(`errno ${EPERM}`)
    })
  })

  describe("io_uring", () => {
    const noMkdir = deny([{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }])

    it("IORING_OP_MKDIRAT fails under a policy that denies mkdir: io_uring itself is denied (ENOSYS)", async () => {
      const target = join(mkdtempSync(join(tmpdir(), "kakoi-")), "made")
      expect(await line([bin.uring, target], noMkdir)).toBe(`setup errno ${ENOSYS}`)
      expect(existsSync(target)).toBe(false)
    })

    // kernel.io_uring_disabled (6.6+) is 0 here; at 2 the kernel refuses io_uring to everyone and there is no bypass to show.
    const uringDisabled = existsSync("/proc/sys/kernel/io_uring_disabled") && readFileSync("/proc/sys/kernel/io_uring_disabled", "utf8").trim() === "2"

    it("without the io_uring floor entry the bypass is real on this kernel (unless the kernel disables io_uring)", async () => {
      const target = join(mkdtempSync(join(tmpdir(), "kakoi-")), "made")
      const outcome = await line([bin.uring, target], { ...noMkdir, floor: { io_uring: false } })
      expect(outcome).toBe(uringDisabled ? `setup errno ${EPERM}` : "mkdirat ok")
      expect(existsSync(target)).toBe(!uringDisabled)
    })

    it("a policy that names io_uring_setup decides it itself", async () => {
      const target = join(mkdtempSync(join(tmpdir(), "kakoi-")), "made")
      const named = deny([...noMkdir.rules ?? [], { action: "allow", syscalls: ["io_uring_setup", "io_uring_enter"] }], { default: "log" })
      expect(await line([bin.uring, target], named)).toBe(uringDisabled ? `setup errno ${EPERM}` : "mkdirat ok")
    })
  })

  describe("families and groups", () => {
    it("family:mkdir denies mkdir and mkdirat; family:open denies open, openat, openat2 and creat", async () => {
      const json = deny([{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir", "family:open"] }])
      for (const nr of [SYS.mkdir, SYS.mkdirat, SYS.open, SYS.openat, SYS.openat2, SYS.creat]) {
        expect(await probeWith(bin.staticProbe, json, nr, 0, 0, 0, 0), String(nr)).toBe(`errno ${EPERM}`)
      }
    })

    it("a systemd group stands for its calls", async () => {
      expect(await probe(deny([{ action: "errno", errno: "EPERM", syscalls: ["@swap"] }]), SYS.swapon, 0, 0)).toBe(`errno ${EPERM}`)
    })
  })

  describe("other ABIs", () => {
    const native = deny([{ action: "errno", errno: "EPERM", syscalls: ["family:mkdir"] }])

    it("kills an i386 int 0x80 call and says so", async () => {
      const result = await api.run([bin.int80], under(native))
      expect(result.signal).toBe("SIGSYS")
      expect(result.diagnosis?.message).toContain('a call of another ABI (e.g. i386 "int 0x80" on x86_64) is killed by badArch')
    })

    it("lets it run when the policy lists x86, and with an acknowledged badArch allow", async () => {
      expect(await line([bin.int80], { ...native, arches: ["x86"] })).toMatch(/^ok \d+$/)
      expect(await line([bin.int80], { ...native, attributes: { badArch: "allow", acknowledgeUnfilteredAbis: true } })).toMatch(/^ok \d+$/)
    })

    it("refuses badArch allow without the acknowledgement, and socket conditions on x86, before any process", async () => {
      const marker = join(mkdtempSync(join(tmpdir(), "kakoi-")), "ran")
      await expect(api.run(["touch", marker], { plugins: [seccomp({ ...native, attributes: { badArch: "allow" } })] })).rejects.toMatchObject({ reason: "UnacknowledgedBadArch" })
      const socket: PolicyJson = deny([{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] }], { arches: ["x86"] })
      await expect(api.run(["touch", marker], { plugins: [seccomp(socket)] })).rejects.toMatchObject({ reason: "MultiplexedArgs" })
      expect(existsSync(marker)).toBe(false)
    })
  })

  describe("the floor", () => {
    const plain: PolicyJson = { default: "allow" }

    it("denies TIOCSTI on a pty, with or without high-bit garbage, and keeps other ioctls", async () => {
      expect(await line([bin.floor, "tiocsti"], plain)).toBe(`errno ${EPERM}`)
      expect(await line([bin.floor, "tiocsti", "0x100005412"], plain)).toBe(`errno ${EPERM}`)
      expect(await line([bin.floor, "tcgets"], plain)).toBe("ok")
      expect(await line([bin.floor, "tiocsti"], { default: "allow", floor: { tiocsti: false } })).toBe("ok")
    })

    it("denies TIOCSTI beside an allowlist that allows ioctl", async () => {
      const allowlist: PolicyJson = { default: { errno: "EACCES" }, rules: [{ action: "allow", syscalls: ["@system-service", "ioctl"] }] }
      expect(await line([bin.floor, "tiocsti"], allowlist)).toBe(`errno ${EPERM}`)
      expect(await line([bin.floor, "tiocsti", "0xffffffff00005412"], allowlist)).toBe(`errno ${EPERM}`)
      expect(await line([bin.floor, "tcgets"], allowlist)).toBe("ok")
    })

    it("denies ptrace, pidfd_getfd and process_vm_readv on the parent", async () => {
      for (const what of ["ptrace", "pidfd_getfd", "vm_readv"]) expect(await line([bin.floor, what], plain), what).toBe(`errno ${EPERM}`)
      // Without the floor, only containment stands between a child and its parent: at process-group the call succeeds.
      expect(await line([bin.floor, "pidfd_getfd"], { default: "allow", floor: false }, "process-group")).toBe("ok")
      // Under the default containment the parent is the init, outside the child's Landlock domain: refused all the same.
      expect(await line([bin.floor, "pidfd_getfd"], { default: "allow", floor: false })).toMatch(/^errno \d+$/)
    })
  })

  it("refuses a filter over the kernel's 4096 instructions before any process, saying how many", async () => {
    // About one instruction per rule: libseccomp shares the high-half test of these values.
    const rules: Array<RuleJson> = Array.from({ length: 4200 }, (_, i) => ({ action: "errno", errno: "EPERM", syscalls: ["clone"], args: [{ index: 0, op: "==", value: i * 7 + 1 }] }))
    const outcome = api.run(["/bin/true"], { plugins: [seccomp({ default: "allow", rules })] })
    await expect(outcome).rejects.toMatchObject({ reason: "TooLarge" })
    await expect(outcome).rejects.toThrow(/Filter has \d+ BPF instructions, more than the kernel's limit of 4096/)
  })
}
