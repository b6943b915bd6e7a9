/**
 * Landlock access rights as users name them (read, write, execute, make,
 * remove, ioctl per path; connect, bind per TCP port), mapped to the kernel's
 * bits, and what each ABI version can handle. A right the ABI does not know is
 * never handled, i.e. allowed everywhere: so what matters for strictness is
 * which *denials* an ABI can enforce, and that is what `missingFor` checks.
 */
import { landlockAccess as landlock } from "../../../core/arch/generic.ts"

const fs = landlock.fs

/**
 * A class of filesystem access granted beneath a path.
 *
 * @example
 * ```ts
 * import type { FsAccess } from "./access.ts"
 *
 * const access: FsAccess = "read"
 * ```
 */
export type FsAccess = "read" | "write" | "execute" | "make" | "remove" | "ioctl"

/**
 * Every class, in the order options list them.
 *
 * @example
 * ```ts
 * import { fsAccesses } from "./access.ts"
 *
 * fsAccesses.includes("read") // true
 * ```
 */
export const fsAccesses: ReadonlyArray<FsAccess> = ["read", "write", "execute", "make", "remove", "ioctl"]

/** The kernel rights behind each class; REFER (moving or linking across directories) counts as making. */
const fsBits: Readonly<Record<FsAccess, bigint>> = {
  read: fs.READ_FILE | fs.READ_DIR,
  write: fs.WRITE_FILE | fs.TRUNCATE,
  execute: fs.EXECUTE,
  make: fs.MAKE_CHAR | fs.MAKE_DIR | fs.MAKE_REG | fs.MAKE_SOCK | fs.MAKE_FIFO | fs.MAKE_BLOCK | fs.MAKE_SYM | fs.REFER,
  remove: fs.REMOVE_DIR | fs.REMOVE_FILE,
  ioctl: fs.IOCTL_DEV
}

/** Rights that only mean something on a directory; a rule on a file may not carry them (EINVAL). */
const directoryOnly: bigint = fs.READ_DIR | fs.REMOVE_DIR | fs.REMOVE_FILE | fsBits.make

/**
 * The filesystem rights each ABI version knows, cumulatively.
 *
 * @example
 * ```ts
 * import { fsRightsOf } from "./access.ts"
 *
 * fsRightsOf(1) // 0x1fffn (EXECUTE .. MAKE_SYM)
 * ```
 */
export const fsRightsOf = (abi: number): bigint =>
  abi < 1 ? 0n : (1n << 13n) - 1n | (abi >= 2 ? fs.REFER : 0n) | (abi >= 3 ? fs.TRUNCATE : 0n) | (abi >= 5 ? fs.IOCTL_DEV : 0n)

/**
 * The kernel rights for a set of classes, masked to what `abi` knows and, for
 * a path that is not a directory, to what applies to files.
 *
 * @example
 * ```ts
 * import { fsRights } from "./access.ts"
 *
 * fsRights(["read"], 7, true) // READ_FILE | READ_DIR = 12n
 * fsRights(["read"], 7, false) // READ_FILE = 4n
 * ```
 */
export const fsRights = (accesses: Iterable<FsAccess>, abi: number, directory: boolean): bigint => {
  let bits = 0n
  for (const access of accesses) bits |= fsBits[access]
  return bits & fsRightsOf(abi) & (directory ? ~0n : ~directoryOnly)
}

/**
 * A TCP operation a port rule allows (ABI 4).
 *
 * @example
 * ```ts
 * import type { NetAccess } from "./access.ts"
 *
 * const access: NetAccess = "connect"
 * ```
 */
export type NetAccess = "connect" | "bind"

/**
 * The kernel right of each TCP operation.
 *
 * @example
 * ```ts
 * import { netBits } from "./access.ts"
 *
 * netBits.connect // 2n
 * ```
 */
export const netBits: Readonly<Record<NetAccess, bigint>> = { connect: landlock.net.CONNECT_TCP, bind: landlock.net.BIND_TCP }

/**
 * What a Landlock domain can scope to itself (ABI 6): signals to processes
 * outside it, and connecting to abstract unix sockets created outside it.
 *
 * @example
 * ```ts
 * import type { LandlockScope } from "./access.ts"
 *
 * const scope: LandlockScope = "signal"
 * ```
 */
export type LandlockScope = "signal" | "abstract-unix-socket"

/**
 * The kernel bit of each scope.
 *
 * @example
 * ```ts
 * import { scopeBits } from "./access.ts"
 *
 * scopeBits.signal // 2n
 * ```
 */
export const scopeBits: Readonly<Record<LandlockScope, bigint>> = {
  signal: landlock.scope.SIGNAL,
  "abstract-unix-socket": landlock.scope.ABSTRACT_UNIX_SOCKET
}

/** A denial a fence relies on, with the ABI that first enforces it. */
interface Requirement {
  readonly what: string
  readonly abi: number
}

/**
 * The requirements of a ruleset that the running ABI does not meet, most
 * basic first: handling the filesystem at all (1), denying truncation outside
 * the write paths (3), TCP port rules (4), scoping (6).
 *
 * @example
 * ```ts
 * import { missingFor } from "./access.ts"
 *
 * missingFor({ filesystem: true, network: true, scopes: [] }, 3) // [{ what: "TCP port rules (connect, bind)", abi: 4 }]
 * ```
 */
export const missingFor = (
  wants: { readonly filesystem: boolean; readonly network: boolean; readonly scopes: ReadonlyArray<LandlockScope> },
  abi: number
): ReadonlyArray<Requirement> => {
  const requirements: Array<Requirement> = []
  if (wants.filesystem) requirements.push({ what: "filesystem rules", abi: 1 }, { what: "denying truncate(2) outside the write paths", abi: 3 })
  if (wants.network) requirements.push({ what: "TCP port rules (connect, bind)", abi: 4 })
  for (const scope of wants.scopes) requirements.push({ what: `scoping ${scope === "signal" ? "signals" : "abstract unix sockets"} to the domain`, abi: 6 })
  return requirements.filter((requirement) => requirement.abi > abi)
}
