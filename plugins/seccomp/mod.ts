/**
 * kakoi's seccomp plugin: policies (DSL and JSON), validation, compilation to
 * BPF through libseccomp, syscall names, and the `seccomp()` plugin that runs
 * children under a policy.
 *
 * @example
 * ```ts
 * import { arg, launcherSyscalls, policy, seccomp } from "kakoi/seccomp"
 *
 * const denyMkdir = seccomp(policy((rule) => {
 *   rule.errno("EPERM", "mkdir", "mkdirat")
 *   rule.allow("socket", arg(0).eq(1))
 * }, { default: "allow" }))
 *
 * const allowlist = policy((rule) => {
 *   rule.allow("read", "write", "exit_group", "brk", "mmap", ...launcherSyscalls)
 * }, { default: "kill" })
 * ```
 */
export { actionValue, describeAction } from "./actions.ts"
export { compile, exportPfc } from "./compile.ts"
export type { CompiledFilter } from "./compile.ts"
export { diagnoseNotifyKill, diagnoseSigsys } from "./diagnosis.ts"
export { arg } from "./dsl.ts"
export type { ArgBuilder, ArgValue, PolicyOptions, RuleBuilder, RuleItem } from "./dsl.ts"
export { errnoName, errnoNames, errnoNumber, errnoText } from "../../core/errno.ts"
export type { ErrnoName } from "../../core/errno.ts"
export { PolicyError, SyscallError } from "./errors.ts"
export type { PolicyErrorReason, SyscallErrorReason } from "./errors.ts"
export type { ArgJson, AttributesJson, PolicyJson, RuleJson, ValueJson } from "./json.ts"
export { checkLauncher, launcherSyscalls } from "./launcher.ts"
export { allowlist, learnEffect } from "./learn/learn.ts"
export type { LearnOptions, LearnResult, LearnRunner } from "./learn/learn.ts"
export type { LearnedProcess, LearnedSyscall } from "./learn/record.ts"
export { SeccompLibrary } from "./library.ts"
export type { ArgComparison, FilterContext, SeccompLibraryShape } from "./library.ts"
export { defaultAttributes } from "./model.ts"
export type { Action, ActionInput, ArgCondition, ArgIndex, Attributes, CompareOperator, Operator, Policy, Rule, SimpleActionKind } from "./model.ts"
export { effectiveAction } from "./plan.ts"
export type { SkippedRule } from "./plan.ts"
export { loadPolicy, SeccompLoadError } from "./load.ts"
export { TrapError, trapInProcess } from "./notify/in-process.ts"
export type { StartTrapHelper, TrapHelper, TrapOptions, TrappedCall } from "./notify/in-process.ts"
export { seccomp } from "./plugin.ts"
export { answer } from "./notify/handler.ts"
export type { Notification, NotifyHandler, Verdict } from "./notify/handler.ts"
export { MemoryReadError, NotifyError, PathError } from "./notify/errors.ts"
export type { MemoryReadErrorReason, NotifyErrorReason, PathErrorReason } from "./notify/errors.ts"
export { readBytes, readString } from "./notify/memory.ts"
export { closeOnExec, followsLastLink, resolvePath } from "./notify/paths.ts"
export type { ResolvedPath } from "./notify/paths.ts"
export { notificationFeed } from "./notify/feed.ts"
export type { NotificationFeed } from "./notify/feed.ts"
export type { NotifyOptions } from "./notify/hook.ts"
export { ListenerSystemService, listenerSystem } from "./notify/system.ts"
export type { ListenerSystem, PollOffThread } from "./notify/system.ts"
export type { SeccompOptions } from "./plugin.ts"
export { decodePolicy, decodePolicyText, isPolicy, policy } from "./policy.ts"
export { toJson } from "./serialize.ts"
export { archNames, syscallName, syscallNames, syscallNumber } from "./syscalls.ts"
