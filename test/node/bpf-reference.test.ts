/**
 * The koffi binding exports the same BPF bytes as libseccomp driven from C.
 * Each scenario is one list of port calls, replayed through the binding and,
 * as text, through test/fixtures/bpf-reference.c built with gcc.
 */
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { make } from "../../adapters/node/libseccomp.ts"
import { buildC } from "../helpers/build-c.ts"
import type { ArgComparison, SeccompLibraryShape } from "../../plugins/seccomp/library.ts"
import { compile, policy, SeccompLibrary, type PolicyJson, type RuleJson } from "../../plugins/seccomp/mod.ts"

const libseccompPath = "/lib/x86_64-linux-gnu/libseccomp.so.2"
const source = join(import.meta.dirname, "../fixtures/bpf-reference.c")

const SCMP_ACT_KILL_PROCESS = 0x80000000
const SCMP_ACT_ALLOW = 0x7fff0000
const SCMP_ACT_ERRNO = (errno: number): number => 0x00050000 | errno
const SCMP_FLTATR_CTL_OPTIMIZE = 8
const [EPERM, EACCES, EFBIG, ENOSYS] = [1, 13, 27, 38]
const [SCMP_CMP_GT, SCMP_CMP_MASKED_EQ] = [6, 7]
const low32 = 0xffff_ffffn
const CLONE_NEWUSER = 0x10000000n

type Call =
  | { readonly call: "attr"; readonly attr: number; readonly value: number }
  | { readonly call: "arch"; readonly name: string }
  | { readonly call: "rule"; readonly action: number; readonly syscall: string; readonly args?: ReadonlyArray<ArgComparison> }

interface Scenario {
  readonly name: string
  readonly defaultAction: number
  readonly calls: ReadonlyArray<Call>
}

const fenceRules: ReadonlyArray<Call> = [
  { call: "rule", action: SCMP_ACT_ERRNO(EPERM), syscall: "mkdir" },
  { call: "rule", action: SCMP_ACT_ERRNO(EPERM), syscall: "mkdirat" },
  // socket's domain is an int: kakoi compares its low 32 bits (plugins/seccomp/narrow.ts).
  { call: "rule", action: SCMP_ACT_ERRNO(EACCES), syscall: "socket", args: [{ arg: 0, op: SCMP_CMP_MASKED_EQ, a: low32, b: 2n }] },
  {
    call: "rule", action: SCMP_ACT_ERRNO(EPERM), syscall: "unshare",
    args: [{ arg: 0, op: SCMP_CMP_MASKED_EQ, a: CLONE_NEWUSER, b: CLONE_NEWUSER }]
  },
  { call: "rule", action: SCMP_ACT_ERRNO(EFBIG), syscall: "write", args: [{ arg: 2, op: SCMP_CMP_GT, a: 0xdeadbeefcafef00dn, b: 0n }] },
  { call: "rule", action: SCMP_ACT_KILL_PROCESS, syscall: "uname" }
]

const scenarios: ReadonlyArray<Scenario> = [
  { name: "errno, masked-eq, 64-bit GT and kill rules", defaultAction: SCMP_ACT_ALLOW, calls: fenceRules },
  {
    name: "the same rules in a binary tree (OPTIMIZE=2)",
    defaultAction: SCMP_ACT_ALLOW,
    calls: [{ call: "attr", attr: SCMP_FLTATR_CTL_OPTIMIZE, value: 2 }, ...fenceRules]
  },
  // Without socket's condition, which x86's socketcall would hide (kakoi refuses it there).
  { name: "the same rules for x86_64 and x86", defaultAction: SCMP_ACT_ALLOW, calls: [{ call: "arch", name: "x86" }, ...fenceRules.filter((call) => call.call !== "rule" || call.syscall !== "socket")] },
  {
    name: "an allowlist under a kill-process default",
    defaultAction: SCMP_ACT_KILL_PROCESS,
    calls: ["read", "write", "exit_group", "futex", "execve", "mmap", "brk"].map((syscall) => ({
      call: "rule" as const, action: SCMP_ACT_ALLOW, syscall
    }))
  },
  {
    name: "kakoi's floor before a policy's own rule",
    defaultAction: SCMP_ACT_ALLOW,
    calls: [
      { call: "rule", action: SCMP_ACT_ERRNO(EPERM), syscall: "ioctl", args: [{ arg: 1, op: SCMP_CMP_MASKED_EQ, a: low32, b: 0x5412n }] },
      { call: "rule", action: SCMP_ACT_ERRNO(EPERM), syscall: "ioctl", args: [{ arg: 1, op: SCMP_CMP_MASKED_EQ, a: low32, b: 0x541cn }] },
      ...["ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"].map((syscall) => ({ call: "rule" as const, action: SCMP_ACT_ERRNO(EPERM), syscall })),
      ...["io_uring_setup", "io_uring_enter", "io_uring_register"].map((syscall) => ({ call: "rule" as const, action: SCMP_ACT_ERRNO(ENOSYS), syscall })),
      { call: "rule", action: SCMP_ACT_ERRNO(EPERM), syscall: "mkdir" }
    ]
  }
]

const hex = (value: number | bigint): string => `0x${value.toString(16)}`

/** The scenario in the C reference's line format. */
const script = (scenario: Scenario): string =>
  [
    `init ${hex(scenario.defaultAction)}`,
    ...scenario.calls.map((call) => {
      switch (call.call) {
        case "attr":
          return `attr ${call.attr} ${call.value}`
        case "arch":
          return `arch ${call.name}`
        case "rule":
          return [`rule ${hex(call.action)} ${call.syscall}`, ...(call.args ?? []).map((cmp) => `${cmp.arg} ${cmp.op} ${hex(cmp.a)} ${hex(cmp.b)}`)]
            .join(" ")
      }
    }),
    ""
  ].join("\n")

/** The scenario through the binding's port calls; fails the test on any negative result. */
const bindingBpf = (library: SeccompLibraryShape, scenario: Scenario): Uint8Array => {
  const ctx = library.init(scenario.defaultAction)
  if (ctx === undefined) throw new Error("seccomp_init returned NULL")
  try {
    const native = library.archNative()
    for (const call of scenario.calls) {
      const result = call.call === "attr"
        ? library.attrSet(ctx, call.attr, call.value)
        : call.call === "arch"
        ? library.archAdd(ctx, library.archResolveName(call.name))
        : library.ruleAdd(ctx, call.action, library.syscallResolveName(native, call.syscall), call.args ?? [])
      expect(result, JSON.stringify(call, (_, value) => (typeof value === "bigint" ? hex(value) : value))).toBe(0)
    }
    const bpf = library.exportBpf(ctx)
    if (typeof bpf === "number") throw new Error(`seccomp_export_bpf failed with ${bpf}`)
    return bpf
  } finally {
    library.release(ctx)
  }
}

let reference = ""

describe("BPF from the koffi binding matches libseccomp's C export", () => {
  const library = Effect.runSync(make())

  beforeAll(() => {
    reference = buildC(source, [libseccompPath])
  })

  it.each(scenarios)("$name", (scenario) => {
    const expected = execFileSync(reference, { input: script(scenario) })
    const actual = bindingBpf(library, scenario)
    expect(expected.length % 8).toBe(0)
    expect(expected.length).toBeGreaterThan(8 * 8)
    expect(Buffer.from(actual)).toEqual(expected)
  })
})

/** The scenarios' rules written as kakoi policies: compile() must reach the very bytes C gets. */
const fencePolicyRules: ReadonlyArray<RuleJson> = [
  { action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] },
  { action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2 }] },
  { action: "errno", errno: "EPERM", syscalls: ["unshare"], args: [{ index: 0, op: "masked==", mask: "0x10000000", value: "0x10000000" }] },
  { action: "errno", errno: "EFBIG", syscalls: ["write"], args: [{ index: 2, op: ">", value: "0xdeadbeefcafef00d" }] },
  { action: "kill", syscalls: ["uname"] }
]

// The floor is left out where a scenario lists only the policy's own rules; the last scenario has it.
const policies: ReadonlyArray<PolicyJson> = [
  { default: "allow", rules: fencePolicyRules, floor: false },
  { default: "allow", rules: fencePolicyRules, attributes: { optimize: 2 }, floor: false },
  { default: "allow", rules: fencePolicyRules.filter((rule) => !rule.syscalls.includes("socket")), arches: ["x86"], floor: false },
  { default: "kill", rules: [{ action: "allow", syscalls: ["read", "write", "exit_group", "futex", "execve", "mmap", "brk"] }], floor: false },
  { default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir"] }] }
]

describe("BPF from compile(policy) matches libseccomp's C export of the same rules", () => {
  const library = Effect.runSync(make())

  beforeAll(() => {
    reference = buildC(source, [libseccompPath])
  })

  it.each(scenarios.map((scenario, index) => ({ name: scenario.name, scenario, json: policies[index]! })))("$name", ({ scenario, json }) => {
    const expected = execFileSync(reference, { input: script(scenario) })
    const { bpf } = Effect.runSync(compile(policy(json)).pipe(Effect.provideService(SeccompLibrary, library)))
    expect(Buffer.from(bpf)).toEqual(expected)
  })
})
