/**
 * The number table of an architecture, by name or for the running process.
 * kakoi supports the architectures it has an interpreter for; anything else is
 * a typed error naming the architecture and the supported ones, never a guess.
 */
import * as Data from "effect/Data"
import type { Cause } from "effect"
import { aarch64 } from "./aarch64.ts"
import type { Arch, ArchTable } from "./table.ts"
import { x86_64 } from "./x86_64.ts"

export type { Arch, ArchTable, SyscallName } from "./table.ts"

const tables: Readonly<Record<Arch, ArchTable>> = { x86_64, aarch64 }

/**
 * The architectures kakoi supports.
 *
 * @example
 * ```ts
 * supportedArches // ["x86_64", "aarch64"]
 * ```
 */
export const supportedArches: ReadonlyArray<Arch> = ["x86_64", "aarch64"]

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const UnsupportedArchitectureBase: new (args: { readonly arch: string }) => Cause.YieldableError & {
  readonly _tag: "UnsupportedArchitecture"
  readonly arch: string
} = Data.TaggedError("UnsupportedArchitecture")

/**
 * kakoi has no child-program interpreter (and no number table) for this architecture.
 *
 * @example
 * ```ts
 * new UnsupportedArchitecture({ arch: "riscv64" }).message
 * // 'Cannot start sandboxed children on "riscv64": kakoi supports x86_64, aarch64'
 * ```
 */
export class UnsupportedArchitecture extends UnsupportedArchitectureBase {
  override get message(): string {
    return `Cannot start sandboxed children on "${this.arch}": kakoi supports ${supportedArches.join(", ")}`
  }
}

/** Node and Bun say x64/arm64, Deno says x86_64/aarch64. */
const aliases: Readonly<Record<string, Arch>> = { x64: "x86_64", x86_64: "x86_64", arm64: "aarch64", aarch64: "aarch64" }

/**
 * The Arch for a runtime's name of it (`process.arch` or `Deno.build.arch`);
 * throws UnsupportedArchitecture for any other.
 *
 * @example
 * ```ts
 * archFromName("x64") // "x86_64"
 * ```
 */
export const archFromName = (name: string): Arch => {
  const arch = Object.hasOwn(aliases, name) ? aliases[name] : undefined
  if (arch === undefined) throw new UnsupportedArchitecture({ arch: name })
  return arch
}

/** `process.arch` exists in Node, Bun and Deno 2 alike; core reads no other runtime global. */
const runningArchName = (): string =>
  (globalThis as { readonly process?: { readonly arch?: string } }).process?.arch ?? "unknown"

/**
 * The architecture this process runs on; throws UnsupportedArchitecture on any other.
 *
 * @example
 * ```ts
 * hostArch() // "x86_64" on this machine
 * ```
 */
export const hostArch = (): Arch => archFromName(runningArchName())

/**
 * The number table of `arch` (default: the running one).
 *
 * @example
 * ```ts
 * archTable("aarch64").syscalls.execve // 221
 * ```
 */
export const archTable = (arch: Arch = hostArch()): ArchTable => tables[arch]
