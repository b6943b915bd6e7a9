/**
 * From a policy as written to the rules its filter holds, one per (rule,
 * syscall), each with its origin: families and groups become their syscalls
 * (and, with i386 or another such ABI in arches, their twins there: twins.ts),
 * narrow arguments become masked comparisons (narrow.ts), and the floor
 * (floor.ts) comes first. plan.ts then applies libseccomp's precedence to
 * this list; compile.ts hands what remains to libseccomp; `explain` names the
 * origin of the rule that decided a call.
 *
 * Pure: what needs libseccomp (is a name known?) is left to compile.
 */
import { sameAction } from "./actions.ts"
import { PolicyError } from "./errors.ts"
import { familyMembers, familyPrefix } from "./families.ts"
import type { FloorEntry } from "./floor.ts"
import { floorRules } from "./floor.ts"
import { groupMembers } from "./groups.ts"
import type { Action, ArgCondition, Policy } from "./model.ts"
import type { Narrowed } from "./narrow.ts"
import { narrow } from "./narrow.ts"
import { twinArches, twinsOf } from "./twins.ts"
import type { ArgWidth } from "./widths.ts"
import { argWidth, signedArg, valueMask } from "./widths.ts"

/**
 * Where a rule of the filter comes from: a rule of the policy (naming the
 * syscall directly, through a family or through a systemd group), an entry of
 * the floor, or the io_uring rule.
 *
 * @example
 * ```ts
 * import type { RuleOrigin } from "kakoi/seccomp"
 *
 * const origin: RuleOrigin = { kind: "user", rule: 2, path: "rules[2].syscalls[0]", family: "mkdir" }
 * ```
 */
export type RuleOrigin =
  | { readonly kind: "user"; readonly rule: number; readonly path: string; readonly family?: string; readonly group?: string }
  | { readonly kind: "floor"; readonly entry: FloorEntry; readonly reason: string }
  | { readonly kind: "io_uring"; readonly reason: string }

/**
 * One rule for one syscall, as it goes to libseccomp: 64-bit comparisons only.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { compile, policy } from "kakoi/seccomp"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 *
 * const { rules } = await Effect.runPromise(Effect.provide(compile(p), layer))
 * rules[0] // { rule: undefined, path: "floor.tiocsti", syscall: "ioctl", action: { kind: "errno", errno: 1 }, args: [...], origin: { kind: "floor", ... } }
 * ```
 */
export interface FilterRule {
  /** Index of the rule in `policy.rules`; undefined for the floor. */
  readonly rule: number | undefined
  /** `rules[2].syscalls[0]`, or `floor.ptrace`. */
  readonly path: string
  readonly syscall: string
  readonly action: Action
  readonly args: ReadonlyArray<ArgCondition>
  readonly origin: RuleOrigin
  /**
   * An unconditional rule kept conditional (`cmd >= 0`, always true) so that
   * the floor's ioctl rules stay in the filter beside it: libseccomp drops
   * every conditional rule of a syscall that has an unconditional one.
   */
  readonly catchAll?: true
}

/**
 * A (rule, syscall) whose conditions can never hold once narrowed (e.g. `< 0`).
 *
 * @example
 * ```ts
 * import { arg, policy } from "kakoi/seccomp"
 * import { expand } from "./expand.ts"
 *
 * expand(policy((rule) => rule.kill("socket", arg(0).lt(0)), { default: "allow" })).never[0]?.syscall // "socket"
 * ```
 */
export interface NeverMatches {
  readonly rule: number
  readonly path: string
  readonly syscall: string
  readonly origin: RuleOrigin
}

/**
 * The filter rules of a policy, and the (rule, syscall) pairs that can never match.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { expand, type Expansion } from "./expand.ts"
 *
 * const p = policy((rule) => rule.errno("EPERM", "mkdir"), { default: "allow" })
 *
 * const { entries, never }: Expansion = expand(p)
 * ```
 */
export interface Expansion {
  readonly entries: ReadonlyArray<FilterRule>
  readonly never: ReadonlyArray<NeverMatches>
}

/** Filter rules one policy rule may split into (narrow ranges multiply); beyond it the filter would not fit anyway. */
const maxSplit = 1024

/**
 * Arches where libseccomp reaches socket and SysV IPC calls through one
 * multiplexer (socketcall, ipc) whose real arguments are in memory.
 *
 * @example
 * ```ts
 * import { multiplexingArches } from "./expand.ts"
 *
 * multiplexingArches.has("x86") // true
 * ```
 */
export const multiplexingArches: ReadonlySet<string> = new Set(["x86", "s390", "s390x", "ppc", "ppc64", "ppc64le", "mips", "mipsel"])
/**
 * The calls those arches multiplex: argument conditions on them cannot hold there.
 *
 * @example
 * ```ts
 * import { multiplexed } from "./expand.ts"
 *
 * multiplexed.has("socket") // true
 * ```
 */
export const multiplexed: ReadonlySet<string> = new Set([
  "socket", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername", "socketpair", "send", "recv",
  "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg", "recvmmsg", "sendmmsg",
  "semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl", "shmat", "shmdt", "shmget", "shmctl"
])

// The calls socketcall(call, args) and ipc(call, ...) make, by `call` (linux/net.h, linux/ipc.h).
const socketCalls = ["", "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername", "socketpair", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg"]
const ipcCalls: Readonly<Record<number, string>> = { 1: "semop", 2: "semget", 3: "semctl", 4: "semtimedop", 11: "msgsnd", 12: "msgrcv", 13: "msgget", 14: "msgctl", 21: "shmat", 22: "shmdt", 23: "shmget", 24: "shmctl" }

/**
 * The call a multiplexer call makes: `socketcall(1, ...)` is socket, `ipc(23, ...)` shmget;
 * undefined for other syscalls and unknown call numbers.
 *
 * @example
 * ```ts
 * import { demultiplexed } from "./expand.ts"
 *
 * demultiplexed("socketcall", 1n) // "socket"
 * ```
 */
export const demultiplexed = (syscall: string, call: bigint): string | undefined => {
  if (call > 0xffffn) return undefined
  const index = Number(call)
  if (syscall === "socketcall") return socketCalls[index] || undefined
  return syscall === "ipc" && Object.hasOwn(ipcCalls, index) ? ipcCalls[index] : undefined
}

/** Actions under which a matched call may still run. */
const mayRun = (action: Action): boolean => action.kind === "allow" || action.kind === "log" || action.kind === "notify" || action.kind === "trace"

/** The syscalls a name stands for, and through what. Names were checked by validate. */
const membersOf = (name: string): { readonly names: ReadonlyArray<string>; readonly via: { readonly family?: string; readonly group?: string } } => {
  if (name.startsWith(familyPrefix)) {
    const family = name.slice(familyPrefix.length)
    return { names: familyMembers(family) ?? [], via: { family } }
  }
  if (name.startsWith("@")) return { names: groupMembers(name) ?? [], via: { group: name } }
  return { names: [name], via: {} }
}

const hex = (value: bigint): string => `0x${value.toString(16)}`

/** Every combination of one alternative per condition (conditions on different arguments all hold). */
const combine = (alternatives: ReadonlyArray<ReadonlyArray<ArgCondition>>): ReadonlyArray<ReadonlyArray<ArgCondition>> =>
  alternatives.reduce<ReadonlyArray<ReadonlyArray<ArgCondition>>>((sets, options) => sets.flatMap((set) => options.map((option) => [...set, option])), [[]])

/**
 * A condition narrowed to the bits the kernel reads. `==` and `!=` with a bare value on an argument
 * whose flags ride above its value (socket's type) compare the value's bits only, so `type == SOCK_DGRAM`
 * holds for SOCK_DGRAM | SOCK_CLOEXEC too, and `!= SOCK_RAW` does not hold for SOCK_RAW | SOCK_CLOEXEC.
 */
const narrowFor = (syscall: string, condition: ArgCondition, width: ArgWidth): Narrowed => {
  const { index, op, value } = condition
  const mask = valueMask(syscall, index)
  if (mask === undefined || (op !== "==" && op !== "!=") || (value & ~mask) !== 0n) return narrow(condition, width, signedArg(syscall, index))
  if (op === "==") return { kind: "any", conditions: [{ index, op: "masked==", mask, value }] }
  // Another value: some bit of the value's bits differs.
  const bits = Array.from({ length: mask.toString(2).length }, (_, i) => 1n << BigInt(i)).filter((bit) => (mask & bit) !== 0n)
  return { kind: "any", conditions: bits.map((bit) => ({ index, op: "masked==", mask: bit, value: ~value & bit })) }
}

/** The condition sets of one (rule, syscall) with every narrow argument narrowed. */
const narrowed = (policy: Policy, rule: number, syscall: string): ReadonlyArray<ReadonlyArray<ArgCondition>> => {
  const { args } = policy.rules[rule] ?? { args: [] }
  const alternatives: Array<ReadonlyArray<ArgCondition>> = []
  for (const [position, condition] of args.entries()) {
    const path = `rules[${rule}].args[${position}]`
    const known = argWidth(syscall, condition.index)
    if (condition.width !== undefined && known !== undefined && known !== condition.width) {
      throw new PolicyError({ reason: "BadWidth", path: `${path}.width`, value: String(condition.width), detail: `the kernel reads argument ${condition.index} of "${syscall}" as ${known} bits` })
    }
    const width = condition.width ?? known ?? 64
    const result = narrowFor(syscall, condition, width)
    if (result.kind === "too-wide") {
      throw new PolicyError({
        reason: "ValueTooWide",
        path: `${path}.value`,
        value: hex(condition.value),
        detail: `the kernel reads argument ${condition.index} of "${syscall}" as ${width} bits, so it ignores the bits above them; write a value below 2^${width}, or a negative one`
      })
    }
    if (result.kind === "any") alternatives.push(result.conditions)
  }
  // Counted before the cross product is built: five `!=` on ints would be 32^5 sets, beyond any memory.
  const count = alternatives.reduce((product, options) => product * options.length, 1)
  if (count > maxSplit) {
    throw new PolicyError({ reason: "TooComplex", path: `rules[${rule}]`, value: syscall, detail: `its ranges on narrow arguments split into ${count} filter rules (at most ${maxSplit}): compare one argument with a range, or use == and masked==` })
  }
  return combine(alternatives)
}

/** Whether conditions on ioctl could hold for `cmd` (they are masked comparisons on the low 32 bits by now). */
const admits = (args: ReadonlyArray<ArgCondition>, cmd: bigint): boolean =>
  args.every((condition) => condition.index !== 1 || condition.op !== "masked==" || (cmd & condition.mask) === condition.value)

const userEntries = (policy: Policy): { readonly entries: Array<FilterRule>; readonly never: Array<NeverMatches> } => {
  const entries: Array<FilterRule> = []
  const never: Array<NeverMatches> = []
  const muxArch = policy.arches.find((arch) => multiplexingArches.has(arch))
  const twinArch = policy.arches.find((arch) => twinArches.has(arch))
  for (const [rule, { action, syscalls, args }] of policy.rules.entries()) {
    const seen = new Set<string>()
    for (const [position, name] of syscalls.entries()) {
      const path = `rules[${rule}].syscalls[${position}]`
      const { names, via } = membersOf(name)
      for (const syscall of names) {
        if (seen.has(syscall)) continue
        seen.add(syscall)
        if (args.length > 0 && muxArch !== undefined && multiplexed.has(syscall)) {
          throw new PolicyError({
            reason: "MultiplexedArgs",
            path: `rules[${rule}].args`,
            value: syscall,
            detail: `"${muxArch}", where "${syscall}" is also reached through a multiplexer (socketcall or ipc) whose arguments are in memory: drop "${muxArch}" from arches, or make the rule unconditional`
          })
        }
        const origin: RuleOrigin = { kind: "user", rule, path, ...via }
        const sets = narrowed(policy, rule, syscall)
        if (sets.length === 0) never.push({ rule, path, syscall, origin })
        for (const set of sets) entries.push({ rule, path, syscall, action, args: set, origin })
        // The same rule for the call's twins on the other ABIs listed (chown32 on i386), on the call's argument widths.
        for (const twin of twinArch === undefined ? [] : twinsOf(syscall)) {
          if (seen.has(twin.name)) continue
          seen.add(twin.name)
          const beyond = args.find((condition) => condition.index >= twin.same)
          if (beyond !== undefined) {
            throw new PolicyError({
              reason: "TwinArgs",
              path: `rules[${rule}].args`,
              value: syscall,
              detail: `argument ${beyond.index}, which "${twin.name}", its twin on "${twinArch}", lays out differently: drop "${twinArch}" from arches, or write a rule for "${twin.name}" itself`
            })
          }
          for (const set of sets) entries.push({ rule, path, syscall: twin.name, action, args: set, origin })
        }
      }
    }
  }
  return { entries, never }
}

const conditionText = (args: ReadonlyArray<ArgCondition>): string =>
  args.map((c) => `${c.index}${c.op}${c.op === "masked==" ? `${c.mask}:` : ""}${c.value}`).join("&")

/**
 * Whether one of the policy's ioctl rules has exactly these conditions and another action (with the
 * same action it repeats the floor's rule, as an exported profile read back does, and both stay).
 */
const decidesCommand = (own: ReadonlyArray<FilterRule>, args: ReadonlyArray<ArgCondition>, action: Action): boolean =>
  own.some((rule) => rule.syscall === "ioctl" && !sameAction(rule.action, action) && conditionText(rule.args) === conditionText(args))

const runsUnasked = (action: Action): boolean => action.kind === "allow" || action.kind === "log"

/**
 * Whether a policy denies anything (the condition of the floor's io_uring
 * entry). Notified and traced calls count: a handler or tracer may refuse
 * them, and io_uring would go around it.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { deniesAnything } from "./expand.ts"
 *
 * deniesAnything(policy({ default: "allow" })) // false
 * ```
 */
export const deniesAnything = (policy: Policy): boolean => !runsUnasked(policy.default) || policy.rules.some((rule) => !runsUnasked(rule.action))

const expansions = new WeakMap<Policy, Expansion>()

/**
 * The policy's filter rules in the order libseccomp gets them: the floor's,
 * then the policy's own. Throws `PolicyError` for a value wider than its
 * argument, a width that contradicts the kernel, conditions on multiplexed
 * calls, and ioctl rules that would let the floor's ioctls through.
 *
 * @example
 * ```ts
 * import { policy } from "kakoi/seccomp"
 * import { expand } from "./expand.ts"
 *
 * expand(policy((rule) => rule.errno("EPERM", "family:mkdir"), { default: "allow" })).entries.map((e) => e.path)
 * // ["floor.tiocsti", ..., "floor.io_uring", "floor.io_uring", "floor.io_uring", "rules[0].syscalls[0]", "rules[0].syscalls[0]"]
 * ```
 */
export const expand = (policy: Policy): Expansion => {
  const cached = expansions.get(policy)
  if (cached !== undefined) return cached
  const { entries: own, never } = userEntries(policy)
  // Named directly or through a family by a rule without conditions: that rule decides every call, not the floor.
  // A group (`@debug`) is too broad to count; a conditional rule would leave the other calls to the default.
  const named = new Set(own.filter((entry) => entry.origin.kind === "user" && entry.origin.group === undefined && entry.args.length === 0).map((entry) => entry.syscall))
  const floor: Array<FilterRule> = []
  for (const { entry, syscalls, args, action: usual, otherwise, reason } of floorRules) {
    if (!policy.floor[entry] || (entry === "io_uring" && !deniesAnything(policy))) continue
    // Only where a rule may let the call run: elsewhere the default denies it alike.
    const contested = syscalls.some((syscall) => own.some((rule) => rule.syscall === syscall && mayRun(rule.action)))
    const action = otherwise !== undefined && contested && sameAction(usual, policy.default) ? otherwise : usual
    const path = `floor.${entry}`
    const origin: RuleOrigin = entry === "io_uring" ? { kind: "io_uring", reason } : { kind: "floor", entry, reason }
    // The ioctl entries deny commands, not a syscall: naming ioctl does not lift them; a rule for exactly that
    // command does (it decides the command then; two rules with one condition would conflict in libseccomp).
    for (const syscall of syscalls) {
      if (syscall === "ioctl" ? !decidesCommand(own, args, action) : !named.has(syscall)) floor.push({ rule: undefined, path, syscall, action, args, origin })
    }
  }
  // The floor's ioctl commands still in force, which the policy's own ioctl rules must not let through.
  const ioctls = floor.flatMap((rule) => (rule.syscall === "ioctl" && rule.origin.kind === "floor" ? [{ entry: rule.origin.entry, cmd: rule.args[0]?.value ?? 0n }] : []))
  const entries = own.map((entry): FilterRule => {
    if (entry.syscall !== "ioctl" || ioctls.length === 0 || !mayRun(entry.action)) return entry
    if (entry.args.length === 0) return { ...entry, args: [{ index: 1, op: ">=", value: 0n }], catchAll: true }
    const admitted = ioctls.find(({ cmd }) => admits(entry.args, cmd))
    if (admitted === undefined) return entry
    throw new PolicyError({
      reason: "FloorConflict",
      path: entry.path,
      value: "ioctl",
      detail: `its conditions admit ${admitted.entry.toUpperCase()}, which the floor denies; compare argument 1 (the command) with the commands you mean, write a rule for that command itself, or set "floor": { "${admitted.entry}": false }`
    })
  })
  const result: Expansion = { entries: [...floor, ...entries], never }
  expansions.set(policy, result)
  return result
}
