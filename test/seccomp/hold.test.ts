/**
 * The pure side of policies that hold: narrow comparisons against a brute-force
 * model, the rules compile lists with their origin (families, groups, the
 * floor, io_uring), what lifts a floor entry, and the checks on bad input
 * (widths, NUL names, unknown families, duplicate JSON keys, exact big numbers).
 * The kernel's side is test/conformance/seccomp-hold.ts.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/libseccomp.ts"
import type { ArgCondition, CompareOperator, PolicyJson, SeccompLibrary } from "../../plugins/seccomp/mod.ts"
import { arg, compile, decodePolicyText, family, groupMembers, policy, syscallNumber, toJson } from "../../plugins/seccomp/mod.ts"
import { parseJsonText } from "../../plugins/seccomp/json-text.ts"
import { forThisProcess } from "../../plugins/seccomp/load.ts"
import { narrow } from "../../plugins/seccomp/narrow.ts"
import { policyError } from "./helpers.ts"

const run = <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>): Promise<A> => Effect.runPromise(Effect.provide(effect, layer))

const holds = (condition: ArgCondition, x: bigint): boolean => {
  switch (condition.op) {
    case "==":
      return x === condition.value
    case "!=":
      return x !== condition.value
    case "<":
      return x < condition.value
    case "<=":
      return x <= condition.value
    case ">":
      return x > condition.value
    case ">=":
      return x >= condition.value
    case "masked==":
      return (x & condition.mask) === condition.value
  }
}

/** A small deterministic generator (xorshift64), so a failure replays. */
const random = (seed: bigint) => () => {
  seed ^= (seed << 13n) & 0xffff_ffff_ffff_ffffn
  seed ^= seed >> 7n
  seed ^= (seed << 17n) & 0xffff_ffff_ffff_ffffn
  return seed
}

describe("narrow()", () => {
  const ops: ReadonlyArray<CompareOperator> = ["==", "!=", "<", "<=", ">", ">="]
  it.each(ops)("%s on 32 bits holds exactly when the low 32 bits compare, whatever the high half", (op) => {
    const next = random(0x9e3779b97f4a7c15n)
    for (let round = 0; round < 60; round++) {
      const value = round < 4 ? [0n, 1n, 0xffff_ffffn, 0x8000_0000n][round] ?? 0n : next() & 0xffff_ffffn
      const narrowed = narrow({ index: 0, op, value }, 32)
      for (let probe = 0; probe < 40; probe++) {
        const low = probe % 3 === 0 ? value : probe % 3 === 1 ? (value + 1n) & 0xffff_ffffn : next() & 0xffff_ffffn
        const x = (next() & 0xffff_ffff_0000_0000n) | low
        const expected = holds({ index: 0, op, value }, low)
        const got = narrowed.kind === "always" || (narrowed.kind === "any" && narrowed.conditions.some((c) => holds(c, x)))
        expect(got, `${op} ${value} at 0x${x.toString(16)}`).toBe(expected)
      }
    }
  })

  it("takes a width from the DSL: arg(index, 32)", () => {
    const p = policy((rule) => rule.errno("EPERM", "my_call", arg(1, 32).eq(-100)), { default: "allow" })
    expect(p.rules[0]?.args).toEqual([{ index: 1, op: "==", value: 0xffff_ffff_ffff_ff9cn, width: 32 }])
  })

  it("reads negative values sign-extended and refuses values that do not fit", () => {
    expect(narrow({ index: 0, op: "==", value: 0xffff_ffff_ffff_ff9cn }, 32)).toEqual({ kind: "any", conditions: [{ index: 0, op: "masked==", mask: 0xffff_ffffn, value: 0xffff_ff9cn }] })
    expect(narrow({ index: 0, op: "==", value: 0x1_0000_0002n }, 32)).toEqual({ kind: "too-wide" })
    expect(narrow({ index: 0, op: "<=", value: 0xffffn }, 16)).toEqual({ kind: "always" })
    expect(narrow({ index: 0, op: "<", value: 0n }, 32)).toEqual({ kind: "any", conditions: [] })
  })
})

describe("compile() lists the filter's rules with their origin", () => {
  it("floor first, then the io_uring rule, then the policy's own rules through families and groups", async () => {
    const { rules } = await run(compile(policy((rule) => rule.errno("EPERM", family("mkdir"), "@swap"), { default: "allow" })))
    expect(rules.map((entry) => [entry.path, entry.syscall, entry.origin.kind])).toEqual([
      ["floor.tiocsti", "ioctl", "floor"],
      ["floor.tioclinux", "ioctl", "floor"],
      ["floor.ptrace", "ptrace", "floor"],
      ["floor.process_vm_readv", "process_vm_readv", "floor"],
      ["floor.process_vm_writev", "process_vm_writev", "floor"],
      ["floor.pidfd_getfd", "pidfd_getfd", "floor"],
      ["floor.io_uring", "io_uring_setup", "io_uring"],
      ["floor.io_uring", "io_uring_enter", "io_uring"],
      ["floor.io_uring", "io_uring_register", "io_uring"],
      ["rules[0].syscalls[0]", "mkdir", "user"],
      ["rules[0].syscalls[0]", "mkdirat", "user"],
      ["rules[0].syscalls[1]", "swapoff", "user"],
      ["rules[0].syscalls[1]", "swapon", "user"]
    ])
    expect(rules[9]?.origin).toEqual({ kind: "user", rule: 0, path: "rules[0].syscalls[0]", family: "mkdir" })
    expect(rules[11]?.origin).toEqual({ kind: "user", rule: 0, path: "rules[0].syscalls[1]", group: "@swap" })
    expect(rules[0]?.args).toEqual([{ index: 1, op: "masked==", mask: 0xffff_ffffn, value: 0x5412n }])
  })

  it("leaves io_uring alone when the policy denies nothing, and the whole floor with floor: false", async () => {
    const plain = await run(compile(policy({ default: "allow" })))
    expect(plain.rules.map((entry) => entry.path)).not.toContain("floor.io_uring")
    const off = await run(compile(policy({ default: "allow", floor: false, rules: [{ action: "kill", syscalls: ["mkdir"] }] })))
    expect(off.rules.map((entry) => entry.path)).toEqual(["rules[0].syscalls[0]"])
  })

  it("in this process (loadPolicy, trapInProcess) denies new io_uring rings only: the event loop's ring was set up before", async () => {
    const p = policy((rule) => rule.errno("EPERM", family("mkdir")), { default: "allow" })
    const { rules } = await run(compile(forThisProcess(p)))
    expect(rules.filter((entry) => entry.syscall.startsWith("io_uring")).map((entry) => [entry.syscall, entry.action])).toEqual([["io_uring_setup", { kind: "errno", errno: 38 }]])
    expect(forThisProcess(policy({ default: "allow" }))).toEqual(policy({ default: "allow" }))
  })

  it("lifts a floor entry for a syscall a rule names, but not for one a group brings", async () => {
    const named = await run(compile(policy((rule) => rule.kill("ptrace"), { default: "allow" })))
    expect(named.rules.filter((entry) => entry.syscall === "ptrace").map((entry) => entry.path)).toEqual(["rules[0].syscalls[0]"])
    const conditional = await run(compile(policy((rule) => rule.allow("ptrace", arg(0).eq(0)), { default: "kill" })))
    expect(conditional.rules.filter((entry) => entry.syscall === "ptrace").map((entry) => entry.path)).toEqual(["floor.ptrace"])
    const grouped = await run(compile(policy((rule) => rule.allow("@debug"), { default: { errno: "EACCES" } })))
    expect(grouped.rules.filter((entry) => entry.syscall === "ptrace").map((entry) => entry.path)).toEqual(["floor.ptrace"])
    expect(grouped.skipped.find((entry) => entry.syscall === "ptrace")?.message).toBe(
      'rules[0] is skipped for "ptrace": floor.ptrace already decides every call to it (name "ptrace" in a rule without conditions to decide it yourself, or switch floor.ptrace off)'
    )
  })

  it("keeps the TIOCSTI rule beside an unconditional allow of ioctl, which becomes an always-true condition", async () => {
    const { rules } = await run(compile(policy((rule) => rule.allow("ioctl").allowLauncher(), { default: "kill" })))
    expect(rules.filter((entry) => entry.syscall === "ioctl").map((entry) => [entry.path, entry.args])).toEqual([
      ["floor.tiocsti", [{ index: 1, op: "masked==", mask: 0xffff_ffffn, value: 0x5412n }]],
      ["floor.tioclinux", [{ index: 1, op: "masked==", mask: 0xffff_ffffn, value: 0x541cn }]],
      ["rules[0].syscalls[0]", [{ index: 1, op: ">=", value: 0n }]]
    ])
  })

  it("refuses an ioctl allow rule whose conditions admit TIOCSTI, and takes one that pins the command", () => {
    const error = policyError(() => policy((rule) => rule.allow("ioctl", arg(0).eq(0)), { default: "kill" }))
    expect(error.reason).toBe("FloorConflict")
    expect(error.message).toMatch(/^Invalid seccomp policy at rules\[0\]\.syscalls\[0\]: Rule for "ioctl" would let through what the floor denies: its conditions admit TIOCSTI/)
    expect(() => policy((rule) => rule.allow("ioctl", arg(1).eq(0x5401)).allowLauncher(), { default: "kill" })).not.toThrow()
  })

  it("lets a rule for exactly TIOCSTI decide it instead of the floor", async () => {
    const { rules } = await run(compile(policy((rule) => rule.errno("EACCES", "ioctl", arg(1).eq(0x5412)), { default: "allow" })))
    expect(rules.filter((entry) => entry.syscall === "ioctl").map((entry) => [entry.path, entry.action])).toEqual([
      ["floor.tioclinux", { kind: "errno", errno: 1 }],
      ["rules[0].syscalls[0]", { kind: "errno", errno: 13 }]
    ])
  })

  it("expands nested systemd groups and skips names libseccomp does not know", async () => {
    expect(groupMembers("@privileged")).toEqual(expect.arrayContaining(["chown", "swapon", "reboot", "init_module"]))
    const { rules, skipped } = await run(compile(policy((rule) => rule.errno("EPERM", "@obsolete"), { default: "allow" })))
    expect(rules.some((entry) => entry.syscall === "afs_syscall")).toBe(true)
    expect(skipped).toEqual([])
  })
})

describe("bad input is refused, saying where", () => {
  it("values wider than the argument, and widths that contradict the kernel", () => {
    const wide = policyError(() => policy({ default: "allow", rules: [{ action: "errno", errno: "EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: "0x100000002" }] }] }))
    expect(wide.message).toBe(
      'Invalid seccomp policy at rules[0].args[0].value: Value 0x100000002 does not fit: the kernel reads argument 0 of "socket" as 32 bits, so it ignores the bits above them; write a value below 2^32, or a negative one'
    )
    const width = policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 2, width: 64 }] }] }))
    expect(width.path).toBe("rules[0].args[0].width")
    expect(policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["x"], args: [{ index: 0, op: "==", value: 2, width: 40 as 32 }] }] })).reason).toBe("BadWidth")
  })

  it("a rule whose narrow ranges split into too many filter rules; one that can never hold is skipped", async () => {
    const ne = (index: 0 | 1 | 2) => ({ index, op: "!=" as const, value: 1 })
    const error = policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [ne(0), ne(1), ne(2)] }] }))
    expect(error.message).toBe('Invalid seccomp policy at rules[0]: Rule for "socket" is too complex: its ranges on narrow arguments split into 4096 filter rules (at most 1024): compare one argument with a range, or use == and masked==')
    const { skipped } = await run(compile(policy({ default: "allow", rules: [{ action: "kill", syscalls: ["socket"], args: [{ index: 0, op: "<", value: 0 }] }] })))
    expect(skipped.map((entry) => entry.reason)).toEqual(["never-matches"])
  })

  it("a NUL in a syscall name, unknown families and groups, with short quotes", () => {
    expect(policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["mkdir\u0000x"] }] })).message).toBe(
      'Invalid seccomp policy at rules[0].syscalls[0]: Invalid syscall name "mkdir\\u0000x": syscall names are letters, digits and underscores; a family is written "family:NAME", a systemd group "@NAME"'
    )
    expect(policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["family:mkdri"] }] })).message).toBe(
      'Invalid seccomp policy at rules[0].syscalls[0]: Unknown syscall family "family:mkdri": did you mean "family:mkdir"?'
    )
    expect(policyError(() => policy({ default: "allow", rules: [{ action: "kill", syscalls: ["@mont"] }] })).message).toBe(
      'Invalid seccomp policy at rules[0].syscalls[0]: Unknown syscall group "@mont": did you mean "@mount"?'
    )
  })

  it("a 100 000-character unknown name answers at once and quotes a short prefix", async () => {
    const started = performance.now()
    const error = await run(Effect.flip(compile(policy({ default: "allow", rules: [{ action: "kill", syscalls: ["a".repeat(100_000)] }] }))))
    expect(performance.now() - started).toBeLessThan(1000)
    expect(error.message).toBe(`Invalid seccomp policy at rules[0].syscalls[0]: Unknown syscall "${"a".repeat(40)}…" (100000 characters)`)
  })

  it("NULs that libseccomp's C strings would cut off, in arches and look-ups", async () => {
    expect(policyError(() => policy({ default: "allow", arches: ["x86\u0000junk"] })).message).toBe('Invalid seccomp policy at arches[0]: Unknown architecture "x86\\u0000junk"')
    const error = await run(Effect.flip(syscallNumber("mkdir\u0000x")))
    expect(error.message).toBe('Unknown syscall "mkdir\\u0000x"')
  })

  it("badArch allow without the acknowledgement", () => {
    expect(policyError(() => policy({ default: "allow", attributes: { badArch: "log" } })).message).toMatch(
      /^Invalid seccomp policy at attributes\.badArch: badArch "log" lets every call of another ABI/
    )
  })

  it("conditions on socket with x86 among the arches", () => {
    const error = policyError(() => policy((rule) => rule.allow("socket", arg(0).eq(1)), { default: "allow", arches: ["x86"] }))
    expect(error.reason).toBe("MultiplexedArgs")
    expect(error.path).toBe("rules[0].args")
  })
})

describe("policy text", () => {
  it("rejects a duplicate key, with its path and line", async () => {
    const text = '{\n  "default": "allow",\n  "rules": [{ "action": "kill", "syscalls": ["mkdir"] }],\n  "rules": []\n}'
    const error = await Effect.runPromise(Effect.flip(decodePolicyText(text)))
    expect(error.reason).toBe("DuplicateKey")
    expect(error.message).toBe('Invalid seccomp policy at rules: Key "rules" appears twice in one object (at line 4, column 3; first at line 3, column 3): JSON keeps only the last, so write it once')
    expect(() => parseJsonText('{"a": {"b": 1, "b": 2}}')).toThrow(/at a\.b: Key "b" appears twice/)
  })

  it("reports a number beyond 2^64 as written, and reads one below it exactly", async () => {
    const tooBig = '{"default": "allow", "rules": [{"action": "kill", "syscalls": ["clone"], "args": [{"index": 0, "op": "==", "value": 18446744073709551617}]}]}'
    expect((await Effect.runPromise(Effect.flip(decodePolicyText(tooBig)))).message).toBe(
      'Invalid seccomp policy at rules[0].args[0].value: Invalid value "18446744073709551617": out of the 64-bit range'
    )
    for (const written of ["1e400", "12345678901234567890.5"]) {
      expect((await Effect.runPromise(Effect.flip(decodePolicyText(tooBig.replace("18446744073709551617", written))))).message).toBe(
        `Invalid seccomp policy at rules[0].args[0].value: Invalid value "${written}": expected a decimal or 0x hex integer`
      )
    }
    const max = await Effect.runPromise(decodePolicyText(tooBig.replace("18446744073709551617", "18446744073709551615")))
    expect(max.rules[0]?.args[0]?.value).toBe(18446744073709551615n)
  })

  it("parses what JSON.parse parses, __proto__ as a key included", () => {
    const text = '{"__proto__": {"x": 1}, "s": "a\\u0000\\n\\"b", "n": [-1.5e3, 0, true, false, null], "e": {}}'
    expect(parseJsonText(text)).toEqual(JSON.parse(text))
    expect(Object.getPrototypeOf(parseJsonText(text))).toBe(Object.prototype)
    expect(() => parseJsonText('{"a": 1,}')).toThrow(/line 1, column 9/)
    expect(() => parseJsonText("[".repeat(100_000))).toThrow(/nested deeper than 256 levels/)
  })
})

describe("toJson()", () => {
  it("writes the floor, widths and the acknowledgement back, so the policy round-trips", () => {
    const p = policy({
      default: "allow",
      rules: [
        { action: "errno", errno: "EPERM", syscalls: ["my_call"], args: [{ index: 1, op: "==", value: -100, width: 32 }] },
        { action: "errno", errno: "EPERM", syscalls: ["family:mkdir", "@swap"] }
      ],
      attributes: { badArch: "allow", acknowledgeUnfilteredAbis: true },
      floor: { ptrace: false, io_uring: false }
    })
    const json = toJson(p)
    expect(json.floor).toEqual({ ptrace: false, io_uring: false })
    expect(json.rules?.[0]?.args).toEqual([{ index: 1, op: "==", value: "18446744073709551516", width: 32 }])
    expect(policy(JSON.parse(JSON.stringify(json)) as PolicyJson)).toEqual(p)
    expect(toJson(policy({ default: "allow", floor: false })).floor).toBe(false)
  })
})

describe("warnings", () => {
  it("a rule that denies one member of a family while another is allowed", async () => {
    const { warnings } = await run(compile(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "openat"] }] } satisfies PolicyJson)))
    expect(warnings.map((w) => w.message)).toEqual([
      'rules[0] denies "mkdir" but "mkdirat" of the same family is allowed (allow, by the default action): deny "family:mkdir" to cover every member',
      'rules[0] denies "openat" but "open" of the same family is allowed (allow, by the default action): deny "family:open" to cover every member'
    ])
    expect((await run(compile(policy((rule) => rule.errno("EPERM", family("mkdir")), { default: "allow" })))).warnings).toEqual([])
  })

  it("errno 0 and an acknowledged badArch allow", async () => {
    const p = policy({ default: "allow", rules: [{ action: "errno", errno: 0, syscalls: ["family:mkdir"] }], attributes: { badArch: "allow", acknowledgeUnfilteredAbis: true } })
    expect((await run(compile(p))).warnings.map((w) => w.path)).toEqual(["attributes.badArch", "rules[0]"])
  })
})
