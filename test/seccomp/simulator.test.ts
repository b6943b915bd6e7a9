/**
 * The classic-BPF simulator: the kernel loader's checks, the interpreter's
 * arithmetic and jumps, return values read as the kernel reads them, and, for
 * real policies, the simulator's answer against the kernel's: a C probe makes
 * the call under the filter (through kakoi's launcher) and the outcome must be
 * what the simulated BPF said, high-bit garbage in 32-bit arguments included.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { run } from "../../adapters/node/mod.ts"
import { layer } from "../../adapters/node/libseccomp.ts"
import { readFileSync } from "node:fs"
import { BpfError, arg, compile, compileProgram, decodeReturn, evaluate, policy, prepare, seccomp, seccompData, simulator, type Action, type OciProfile, type Policy } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"
import { seeded } from "../helpers/random.ts"

/** struct sock_filter instructions as bytes. */
const program = (...instructions: ReadonlyArray<readonly [number, number, number, number]>): Uint8Array => {
  const bytes = new Uint8Array(instructions.length * 8)
  const view = new DataView(bytes.buffer)
  for (const [index, [code, jt, jf, k]] of instructions.entries()) {
    view.setUint16(index * 8, code, true)
    view.setUint8(index * 8 + 2, jt)
    view.setUint8(index * 8 + 3, jf)
    view.setUint32(index * 8 + 4, k >>> 0, true)
  }
  return bytes
}
const LD_ABS = 0x20, RET_K = 0x06, RET_A = 0x16, JEQ_K = 0x15, JSET_K = 0x45, JGT_K = 0x25, JA = 0x05
const ALU_ADD_K = 0x04, ALU_DIV_X = 0x3c, ALU_NEG = 0x84, LDX_IMM = 0x01, ST = 0x02, LD_MEM = 0x60, LD_IMM = 0x00, ALU_LSH_K = 0x64
const ALLOW = 0x7fff0000

const refused = (bytes: Uint8Array): BpfError => {
  try {
    prepare(bytes)
  } catch (error) {
    if (error instanceof BpfError) return error
    throw error
  }
  throw new Error("expected a BpfError")
}

describe("prepare() checks a program as the kernel's seccomp loader does", () => {
  it.each([
    ["Truncated", new Uint8Array(7)],
    ["Empty", new Uint8Array(0)],
    ["TooLong", program(...Array.from({ length: 4097 }, () => [RET_K, 0, 0, ALLOW] as const))],
    ["BadInstruction", program([0x94, 0, 0, 3], [RET_K, 0, 0, ALLOW])], // BPF_ALU|BPF_MOD: not allowed in seccomp
    ["BadOffset", program([LD_ABS, 0, 0, 2], [RET_K, 0, 0, ALLOW])],
    ["BadOffset", program([LD_ABS, 0, 0, 64], [RET_K, 0, 0, ALLOW])],
    ["BadJump", program([JEQ_K, 5, 0, 1], [RET_K, 0, 0, ALLOW])],
    ["BadMemory", program([LD_MEM, 0, 0, 3], [RET_K, 0, 0, ALLOW])],
    ["BadMemory", program([ST, 0, 0, 16], [RET_K, 0, 0, ALLOW])],
    ["BadConstant", program([0x34, 0, 0, 0], [RET_K, 0, 0, ALLOW])], // DIV by K=0
    ["BadConstant", program([ALU_LSH_K, 0, 0, 32], [RET_K, 0, 0, ALLOW])],
    ["NoReturn", program([LD_ABS, 0, 0, 0])]
  ] as const)("refuses %s", (reason, bytes) => {
    expect(refused(bytes).reason).toBe(reason)
  })

  it("says where and what", () => {
    expect(refused(program([LD_ABS, 0, 0, 66], [RET_K, 0, 0, ALLOW])).message).toBe(
      "Invalid BPF program at instruction 0: loads offset 66, outside the 64 bytes of struct seccomp_data or not 4-byte aligned"
    )
  })
})

describe("evaluate()", () => {
  it("loads seccomp_data words little-endian, the low half of a 64-bit argument first", () => {
    const loadArg0High = prepare(program([LD_ABS, 0, 0, 20], [RET_A, 0, 0, 0]))
    expect(evaluate(loadArg0High, seccompData({ nr: 0, arch: 0, args: [0x1234_5678_9abc_def0n] }))).toBe(0x12345678)
    const loadIpLow = prepare(program([LD_ABS, 0, 0, 8], [RET_A, 0, 0, 0]))
    expect(evaluate(loadIpLow, seccompData({ nr: 0, arch: 0, instructionPointer: 0xffff_0000_0000_0042n }))).toBe(0x42)
  })

  it("does unsigned 32-bit arithmetic, jumps and scratch memory", () => {
    const p = prepare(program(
      [LD_IMM, 0, 0, 0xfffffffe], [ALU_ADD_K, 0, 0, 3], // wraps to 1
      [ST, 0, 0, 4], [ALU_NEG, 0, 0, 0], // -1 = 0xffffffff
      [JGT_K, 0, 2, 0x7fffffff], [LD_MEM, 0, 0, 4], [JSET_K, 1, 0, 1],
      [RET_K, 0, 0, 0x50001], [JA, 0, 0, 0], [RET_K, 0, 0, ALLOW]
    ))
    expect(evaluate(p, seccompData({ nr: 0, arch: 0 }))).toBe(ALLOW)
  })

  it("ends with 0 (kill-thread) on a division by a zero X, as the kernel's conversion does", () => {
    const p = prepare(program([LD_IMM, 0, 0, 7], [LDX_IMM, 0, 0, 0], [ALU_DIV_X, 0, 0, 0], [RET_K, 0, 0, ALLOW]))
    expect(decodeReturn(evaluate(p, seccompData({ nr: 0, arch: 0 }))).action).toEqual({ kind: "kill-thread" })
  })

  it("reads return values as the kernel does", () => {
    expect(decodeReturn(0x00051234).action).toEqual({ kind: "errno", errno: 4095 })
    expect(decodeReturn(0x7ff00007).action).toEqual({ kind: "trace", value: 7 })
    expect(decodeReturn(0x80000000).action).toEqual({ kind: "kill" })
    expect(decodeReturn(0x12340000).action).toEqual({ kind: "kill" }) // unknown: kill-process
    expect(decodeReturn(0x7fc00000).action).toEqual({ kind: "notify" })
    expect(decodeReturn(0x7ffc0000).action).toEqual({ kind: "log" })
    expect(decodeReturn(0x00030005).action).toEqual({ kind: "trap" })
  })
})

describe("compileProgram() agrees with evaluate()", () => {
  const r = seeded(0xb9f)
  const int = (below: number): number => Math.floor(r() * below)
  const word = (): number => [0, 1, 2, 0xffffffff, 0x80000000, int(64), int(2 ** 32)][int(7)] ?? 0

  /** A random program the loader accepts: forward jumps, every scratch word stored first, a return last. */
  const randomProgram = (): Uint8Array => {
    const length = 2 + int(40)
    const codes = [LD_ABS, LD_IMM, LDX_IMM, ALU_ADD_K, ALU_NEG, 0x0c, 0x1c, 0x2c, 0x44, 0x54, 0x5c, 0xa4, 0xac, 0x64, 0x74, 0x6c, 0x7c, 0x34, ALU_DIV_X, 0x07, 0x87, JEQ_K, JGT_K, 0x35, JSET_K, 0x1d, 0x2d, 0x3d, 0x4d, JA, RET_A, RET_K, 0x80, 0x81, LD_MEM, 0x61, ST, 0x03]
    const instructions: Array<readonly [number, number, number, number]> = [[ST, 0, 0, 0]]
    for (let pc = 1; pc < length - 1; pc++) {
      const code = codes[int(codes.length)] ?? RET_K
      const room = length - pc - 2
      const k = code === LD_MEM || code === 0x61 ? 0 : code === ST || code === 0x03 ? int(16) : code === LD_ABS ? 4 * int(16) : (code & 0xf7) === 0x64 || (code & 0xf7) === 0x74 ? int(32) : code === 0x34 ? 1 + int(9) : code === JA ? int(room + 1) : word()
      instructions.push((code & 0x07) === 0x05 && code !== JA ? [code, int(room + 1), int(room + 1), k] : [code, 0, 0, k])
    }
    instructions.push([RET_A, 0, 0, 0])
    return program(...instructions)
  }

  it("on random programs and inputs (seeded)", () => {
    for (let n = 0; n < 300; n++) {
      const checked = prepare(randomProgram())
      const run = compileProgram(checked)
      for (let i = 0; i < 30; i++) {
        const data = Uint32Array.from({ length: 16 }, word)
        expect(run(data), `program ${n} input ${i}`).toBe(evaluate(checked, data))
      }
    }
  })

  it("on Docker's compiled profile, every syscall number", async () => {
    const docker = policy(JSON.parse(readFileSync(new URL("../fixtures/profiles/docker-default.json", import.meta.url), "utf8")) as OciProfile, { caps: [] })
    const checked = prepare((await Effect.runPromise(Effect.provide(compile(docker), layer))).bpf)
    const run = compileProgram(checked)
    for (let nr = 0; nr < 1024; nr++) {
      for (const args of [[], [40n], [0x1_0000_0002n, 1n], [0x7e020000n]]) {
        const data = seccompData({ nr, arch: 0xc000003e, args })
        expect(run(data)).toBe(evaluate(checked, data))
      }
    }
  })
})

describe("the simulator agrees with the kernel", () => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url)))
  })

  const X86_64 = 0xc000003e
  const [SYS_getpriority, SYS_socket, SYS_personality, SYS_umask, SYS_add_key, SYS_io_uring_setup, SYS_unshare] = [140, 41, 135, 95, 248, 425, 272]

  /** What the kernel did: "ok N", "errno N", or "signal SIGSYS". */
  const kernel = async (p: Policy | undefined, nr: number, args: ReadonlyArray<bigint>): Promise<string> => {
    const result = await run([probe, String(nr), ...args.map((value) => `0x${value.toString(16)}`)], p === undefined ? {} : { plugins: [seccomp(p)] })
    return result.signal !== undefined ? `signal ${result.signal}` : result.stdout.trim()
  }

  const expected = (action: Action, unfiltered: string): string =>
    action.kind === "allow" || action.kind === "log" ? unfiltered : action.kind === "errno" ? `errno ${action.errno}` : "signal SIGSYS"

  const cases: ReadonlyArray<{ readonly name: string; readonly policy: Policy; readonly calls: ReadonlyArray<readonly [number, ReadonlyArray<bigint>]> }> = [
    {
      name: "a socket family rule, with high-bit garbage in the 32-bit domain argument",
      policy: policy((rule) => rule.errno("EACCES", "socket", arg(0).eq(2)), { default: "allow" }),
      calls: [[SYS_socket, [2n, 1n, 0n]], [SYS_socket, [0x1_0000_0002n, 1n, 0n]], [SYS_socket, [1n, 1n, 0n]], [SYS_socket, [0xffff_ffff_0000_0001n, 1n, 0n]]]
    },
    {
      name: "ranges and masks on getpriority and umask",
      policy: policy((rule) => {
        rule.errno("EPERM", "getpriority", arg(0).gt(0), arg(1).lt(100))
        rule.errno("ENOSYS", "umask", arg(0).masked(0o7, 0o2))
      }, { default: "allow" }),
      calls: [[SYS_getpriority, [0n, 0n]], [SYS_getpriority, [1n, 0n]], [SYS_getpriority, [1n, 100n]], [SYS_getpriority, [0xffff_ffff_0000_0000n, 5n]], [SYS_umask, [0o22n]], [SYS_umask, [0o27n]], [SYS_umask, [0xff00_0000_0000_0002n]]]
    },
    {
      name: "an allow list with a kill default",
      policy: policy((rule) => {
        rule.allow("execve", "futex", "brk", "arch_prctl", "mmap", "munmap", "mprotect", "access", "openat", "newfstatat", "fstat", "read", "write", "close",
          "pread64", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom", "exit_group")
        rule.allow("personality", arg(0).eq(0xffffffff))
      }, { default: "kill" }),
      calls: [[SYS_personality, [0xffffffffn]], [SYS_personality, [0n]], [SYS_getpriority, [0n, 0n]]]
    },
    {
      name: "Docker's default profile, for no capabilities",
      policy: policy(JSON.parse(readFileSync(new URL("../fixtures/profiles/docker-default.json", import.meta.url), "utf8")) as OciProfile, { caps: [] }),
      calls: [[SYS_add_key, []], [SYS_personality, [1n]], [SYS_personality, [0xffffffffn]], [SYS_socket, [40n, 1n, 0n]], [SYS_socket, [1n, 1n, 0n]], [SYS_getpriority, [0n, 0n]], [SYS_io_uring_setup, [1n, 0n]], [SYS_unshare, [0x10000000n]]]
    }
  ]

  it.each(cases)("$name", async ({ policy: p, calls }) => {
    const compiled = await Effect.runPromise(Effect.provide(compile(p), layer))
    const filter = simulator(compiled.bpf)
    for (const [nr, args] of calls) {
      const simulated = filter.run({ nr, arch: X86_64, args }).action
      expect(await kernel(p, nr, args), `nr ${nr} args ${args.join(",")}: simulated ${JSON.stringify(simulated)}`).toBe(expected(simulated, await kernel(undefined, nr, args)))
    }
  })
})
