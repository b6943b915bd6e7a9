/**
 * The per-arch number tables against the C headers of this machine: a C
 * program (arch-numbers.c) prints every number the tables hold, built natively
 * for x86_64 and with aarch64-linux-gnu-gcc for aarch64 (run under qemu-aarch64).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { errnoAliases, errnoTable } from "../../core/arch/errno.ts"
import { archFromName, archTable, hostArch, UnsupportedArchitecture, type Arch } from "../../core/arch/mod.ts"
import { buildC } from "../helpers/build-c.ts"

const source = join(import.meta.dirname, "arch-numbers.c")
const errnoList = join(mkdtempSync(join(tmpdir(), "kakoi-errno-")), "errno-list.h")
writeFileSync(errnoList, [...Object.keys(errnoTable).map((name) => `ERR(${name});`), ...Object.keys(errnoAliases).map((name) => `ALIAS(${name});`)].join("\n"))
const define = `-DERRNO_LIST="${errnoList}"`
const printers: Readonly<Record<Arch, () => string>> = {
  x86_64: () => execFileSync(buildC(source, [define]), { encoding: "utf8" }),
  aarch64: () => execFileSync("qemu-aarch64", [buildC(source, ["-static", define], "aarch64-linux-gnu-gcc")], { encoding: "utf8" })
}
const printed = new Map<Arch, string>()
const headerNumbers = (arch: Arch): string => {
  const known = printed.get(arch) ?? printers[arch]()
  printed.set(arch, known)
  return known
}

/** The table's value at a dotted path such as "syscalls.execve"; an alias's is its canonical name's number. */
const at = (arch: Arch, path: string): unknown => {
  const [kind, name = ""] = path.split(".", 2)
  if (kind === "errnoAlias") return archTable(arch).errno[errnoAliases[name as keyof typeof errnoAliases]]
  return path.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], archTable(arch))
}

describe.each(["x86_64", "aarch64"] as const)("the %s table", (arch) => {
  it("holds the numbers of the C headers", () => {
    const lines = headerNumbers(arch).trim().split("\n").map((line) => line.split(" ") as [string, string])
    expect(lines.length).toBeGreaterThan(230)
    for (const [path, value] of lines) {
      const ours = at(arch, path)
      expect(BigInt.asUintN(64, typeof ours === "bigint" ? ours : BigInt(ours as number)), path).toBe(BigInt(value))
    }
  })

  it("names every syscall the C program printed, and no other", () => {
    const printed = headerNumbers(arch).split("\n").filter((line) => line.startsWith("syscalls.")).map((line) => line.split(" ")[0]?.slice(9))
    expect(printed.sort()).toEqual(Object.keys(archTable(arch).syscalls).sort())
  })
})

describe("the architecture selection", () => {
  it("knows every runtime's name of an architecture", () => {
    expect(["x64", "x86_64", "arm64", "aarch64"].map(archFromName)).toEqual(["x86_64", "x86_64", "aarch64", "aarch64"])
    expect(hostArch()).toBe("x86_64")
  })

  it("names the architecture and the supported ones when it has none", () => {
    expect(() => archFromName("riscv64")).toThrow(UnsupportedArchitecture)
    expect(() => archFromName("riscv64")).toThrow('Cannot start sandboxed children on "riscv64": kakoi supports x86_64, aarch64')
  })
})
