/**
 * The builder DSL, after mruby-seccomp's
 * `Seccomp.new(default: :allow) { |rule| rule.kill(:mkdir); rule.trap(:uname) }`:
 *
 * ```ts
 * import { arg, policy } from "kakoi/seccomp"
 *
 * policy((rule) => {
 *   rule.kill("mkdir")
 *   rule.errno("EPERM", "mkdirat", "rmdir")
 *   rule.allow("socket", arg(0).eq(1))
 * }, { default: "allow" })
 * ```
 *
 * The builder only records what was written, as `PolicyJson`; `policy()` then
 * validates it exactly like JSON, so both report the same errors at the same
 * paths (`rules[2].args[0].index`).
 */
import type { ErrnoName } from "../../core/errno.ts"
import type { ArgJson, AttributesJson, FloorJson, PolicyJson, RuleJson, ValueJson } from "./json.ts"
import { familyPrefix } from "./families.ts"
import { launcherSyscalls } from "./launcher.ts"
import type { ActionInput, ArgIndex, StatedWidth } from "./model.ts"
import type { NotifyHandler } from "./notify/handler.ts"

/**
 * An argument value from code: a number up to 2^53, or a bigint for anything 64-bit.
 *
 * @example
 * ```ts
 * import type { ArgValue } from "kakoi/seccomp"
 *
 * const all: ArgValue = 0xffff_ffff_ffff_ffffn
 * ```
 */
export type ArgValue = number | bigint

/**
 * Conditions on one syscall argument, made by `arg(index)`.
 * Comparisons are unsigned 64-bit.
 *
 * @example
 * ```ts
 * import { arg, policy, type ArgBuilder } from "kakoi/seccomp"
 *
 * const first: ArgBuilder = arg(0)
 * policy((rule) => rule.errno("EACCES", "socket", first.eq(2)), { default: "allow" }) // AF_INET
 * ```
 */
export interface ArgBuilder {
  readonly eq: (value: ArgValue) => ArgJson
  readonly ne: (value: ArgValue) => ArgJson
  readonly lt: (value: ArgValue) => ArgJson
  readonly le: (value: ArgValue) => ArgJson
  readonly gt: (value: ArgValue) => ArgJson
  readonly ge: (value: ArgValue) => ArgJson
  /** `(arg & mask) == value`, e.g. flag tests. */
  readonly masked: (mask: ArgValue, value: ArgValue) => ArgJson
}

/**
 * Conditions on the syscall argument at `index` (0 to 5), unlike mruby's
 * positional `Seccomp::ARG(:>=, 0)`. Arguments the kernel reads as 32 bits
 * (an `int`) are compared on those bits, from kakoi's width table; `width`
 * states it for syscalls the table does not know.
 *
 * @example
 * ```ts
 * import { arg, policy } from "kakoi/seccomp"
 *
 * policy((rule) => {
 *   rule.allow("socket", arg(0).eq(1)) // AF_UNIX only
 *   rule.errno("EPERM", "openat", arg(2).masked(0o3, 0o1)) // O_WRONLY
 *   rule.kill("kill", arg(0).eq(-1n)) // pid_t: the low 32 bits are 0xffffffff
 *   rule.errno("EPERM", "fchmodat", arg(0, 32).eq(-100)) // AT_FDCWD as an int
 * }, { default: "allow" })
 * ```
 */
export const arg = (index: ArgIndex, width?: StatedWidth): ArgBuilder => {
  const stated = width === undefined ? {} : { width }
  const compare = (op: ArgJson["op"]) => (value: ValueJson): ArgJson => ({ index, op, value, ...stated })
  return {
    eq: compare("=="),
    ne: compare("!="),
    lt: compare("<"),
    le: compare("<="),
    gt: compare(">"),
    ge: compare(">="),
    masked: (mask, value) => ({ index, op: "masked==", mask, value, ...stated })
  }
}

/**
 * A syscall family where a syscall name goes: `family("open")` is
 * `"family:open"` (open, openat, openat2, creat, open_by_handle_at). See families.ts.
 *
 * @example
 * ```ts
 * import { family, policy } from "kakoi/seccomp"
 *
 * policy((rule) => {
 *   rule.errno("EPERM", family("mkdir"), family("open")) // every way to make a directory or open a file
 *   rule.allow("@system-service") // a systemd group, written as is
 * }, { default: "kill" })
 * ```
 */
export const family = (name: string): string => `${familyPrefix}${name}`

/**
 * A syscall name (or `family:NAME`, or a systemd `@group`), or a condition from
 * `arg()` that applies to every syscall of the call.
 *
 * @example
 * ```ts
 * import { arg, policy, type RuleItem } from "kakoi/seccomp"
 *
 * const items: Array<RuleItem> = ["socket", "socketpair", arg(0).eq(1)]
 * policy((rule) => rule.allow(...items), { default: "kill" })
 * ```
 */
export type RuleItem = string | ArgJson

/**
 * Adds rules. Each call is one rule (one entry of `rules`): its strings are
 * syscalls, its `arg()` conditions must all hold. Calls chain.
 *
 * @example
 * ```ts
 * import { arg, policy } from "kakoi/seccomp"
 *
 * policy((rule) => rule.kill("mkdir").trap("uname").errno("EACCES", "socket", arg(0).eq(2)), { default: "allow" })
 * ```
 */
export interface RuleBuilder {
  readonly allow: (...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /** Kill the whole process with SIGSYS. */
  readonly kill: (...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /** Kill only the calling thread with SIGSYS. */
  readonly killThread: (...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /** Send SIGSYS to the calling thread. */
  readonly trap: (...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /** Fail the call with an errno (a name such as "EPERM", or a number). */
  readonly errno: (errno: ErrnoName | number, ...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /** Allow and log to the audit log. */
  readonly log: (...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /**
   * Ask the supervisor through a seccomp listener. A function among the items
   * is this rule's handler (it runs in the supervisor; see `NotifyHandler`);
   * without one, the `seccomp()` plugin's `notify.handler` answers, else EPERM.
   */
  readonly notify: (...items: ReadonlyArray<RuleItem | NotifyHandler>) => RuleBuilder
  /** Stop for a ptrace tracer with a message value (ENOSYS without a tracer). */
  readonly trace: (value: number, ...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /** Any action, e.g. from configuration. */
  readonly add: (action: ActionInput, ...items: ReadonlyArray<RuleItem>) => RuleBuilder
  /**
   * Allows `launcherSyscalls` (execve): what kakoi's child program still
   * calls after installing the filter. Needed by default-deny policies.
   */
  readonly allowLauncher: () => RuleBuilder
}

/**
 * The options of a DSL policy: the default action for syscalls no rule
 * matches, and optionally attributes and extra architectures.
 *
 * @example
 * ```ts
 * import type { PolicyOptions } from "kakoi/seccomp"
 *
 * const options: PolicyOptions = { default: { errno: "EPERM" }, attributes: { optimize: 2 }, arches: ["x86"] }
 * ```
 */
export interface PolicyOptions {
  readonly default: ActionInput
  readonly attributes?: AttributesJson
  readonly arches?: ReadonlyArray<string>
  /** Switch the floor off (`false`) or some of its entries (`{ ptrace: false }`); see floor.ts. */
  readonly floor?: FloorJson
}

const toRule = (action: ActionInput, items: ReadonlyArray<RuleItem>): RuleJson => ({
  action,
  syscalls: items.filter((item): item is string => typeof item === "string"),
  args: items.filter((item): item is ArgJson => typeof item !== "string")
})

/**
 * Runs a DSL function and returns what it wrote, as JSON to validate. Handler
 * functions given to `rule.notify` go into `handlers`, keyed `rules[i]`, and
 * the rule names that key.
 *
 * @example
 * ```ts
 * import { answer, type NotifyHandler } from "kakoi/seccomp"
 * import { fromBuilder } from "./dsl.ts"
 *
 * const handlers = new Map<string, NotifyHandler>()
 * const json = fromBuilder((rule) => rule.kill("mkdir").notify(() => answer.fail("EPERM"), "uname"), { default: "allow" }, handlers)
 * json.rules?.[1] // { action: "notify", syscalls: ["uname"], args: [], handler: "rules[1]" }
 * Array.from(handlers.keys()) // ["rules[1]"]
 * ```
 */
export const fromBuilder = (
  build: (rule: RuleBuilder) => unknown,
  options: PolicyOptions,
  handlers: Map<string, NotifyHandler> = new Map()
): PolicyJson => {
  const rules: Array<RuleJson> = []
  const notify = (items: ReadonlyArray<RuleItem | NotifyHandler>): RuleBuilder => {
    const handler = items.find((item): item is NotifyHandler => typeof item === "function")
    const rest = items.filter((item): item is RuleItem => typeof item !== "function")
    if (handler === undefined) return add("notify", rest)
    const key = `rules[${rules.length}]`
    handlers.set(key, handler)
    rules.push({ ...toRule("notify", rest), handler: key })
    return builder
  }
  const add = (action: ActionInput, items: ReadonlyArray<RuleItem>): RuleBuilder => {
    rules.push(toRule(action, items))
    return builder
  }
  const builder: RuleBuilder = {
    allow: (...items) => add("allow", items),
    kill: (...items) => add("kill", items),
    killThread: (...items) => add("kill-thread", items),
    trap: (...items) => add("trap", items),
    errno: (errno, ...items) => add({ errno }, items),
    log: (...items) => add("log", items),
    notify: (...items) => notify(items),
    trace: (value, ...items) => add({ trace: value }, items),
    add: (action, ...items) => add(action, items),
    allowLauncher: () => add("allow", launcherSyscalls)
  }
  build(builder)
  return {
    default: options.default,
    rules,
    ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    ...(options.arches === undefined ? {} : { arches: options.arches }),
    ...(options.floor === undefined ? {} : { floor: options.floor })
  }
}
