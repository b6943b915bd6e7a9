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
export { arg, family } from "./dsl.ts"
export type { ArgBuilder, ArgValue, PolicyOptions, RuleBuilder, RuleItem } from "./dsl.ts"
export { errnoName, errnoNames, errnoNumber, errnoText } from "../../core/errno.ts"
export type { ErrnoName } from "../../core/errno.ts"
export { PolicyError, SyscallError } from "./errors.ts"
export type { FilterRule, RuleOrigin } from "./expand.ts"
export { familyMembers, familyNames } from "./families.ts"
export { floorEntries, floorRules } from "./floor.ts"
export type { Floor, FloorEntry, FloorRule } from "./floor.ts"
export { groupMembers, groupNames } from "./groups.ts"
export type { PolicyWarning } from "./warnings.ts"
export { argWidth } from "./widths.ts"
export type { ArgWidth } from "./widths.ts"
export type { PolicyErrorReason, SyscallErrorReason } from "./errors.ts"
export type { ArgJson, AttributesJson, FloorJson, PolicyJson, RuleJson, ValueJson } from "./json.ts"
export { checkLauncher, launcherSyscalls } from "./launcher.ts"
export { allowlist, learnEffect } from "./learn/learn.ts"
export type { LearnOptions, LearnResult, LearnRunner } from "./learn/learn.ts"
export type { LearnedProcess, LearnedSyscall } from "./learn/record.ts"
export { SeccompLibrary } from "./library.ts"
export type { ArgComparison, FilterContext, SeccompLibraryShape } from "./library.ts"
export { defaultAttributes } from "./model.ts"
export type { Action, ActionInput, ArgCondition, ArgIndex, Attributes, CompareOperator, Operator, Policy, Rule, SimpleActionKind, StatedWidth } from "./model.ts"
export { effectiveAction } from "./plan.ts"
export { describeRule, explain } from "./explain.ts"
export { diff, differenceLine } from "./diff.ts"
export type { DiffInput, Difference } from "./diff.ts"
export { lint } from "./lint.ts"
export type { LintFinding } from "./lint.ts"
export { exportOci, profileText } from "./formats/oci-export.ts"
export type { OciExport } from "./formats/oci-export.ts"
export { exportSystemd } from "./formats/systemd.ts"
export type { SystemdExport } from "./formats/systemd.ts"
export type { DecidedBy, ExplainQuery, Explanation } from "./explain.ts"
export { importOf } from "./formats/imported.ts"
export { importOci } from "./formats/oci-import.ts"
export type { LeftOut, OciImport, OciOptions } from "./formats/oci-import.ts"
export { isOciProfile } from "./formats/oci-json.ts"
export type { OciArg, OciFilter, OciProfile, OciSyscall } from "./formats/oci-json.ts"
export { auditArch, BpfError, compileProgram, decodeReturn, evaluate, fillSeccompData, prepare, seccompData, simulator } from "./simulator/mod.ts"
export type { BpfErrorReason, BpfProgram, CompiledProgram, FilterVerdict, SeccompData, Simulator, Trace } from "./simulator/mod.ts"
export type { PlannedRule, SkippedRule } from "./plan.ts"
export { loadPolicy, SeccompLoadError } from "./load.ts"
export { TrapError, trapInProcess } from "./notify/in-process.ts"
export type { StartTrapHelper, TrapHelper, TrapOptions, TrappedCall } from "./notify/in-process.ts"
export { seccomp } from "./plugin.ts"
export { answer } from "./notify/handler.ts"
export type { Notification, NotifyHandler, Verdict } from "./notify/handler.ts"
export { MemoryReadError, NotifyError } from "./notify/errors.ts"
export type { MemoryReadErrorReason, NotifyErrorReason } from "./notify/errors.ts"
export { readBytes, readString } from "./notify/memory.ts"
export { notificationFeed } from "./notify/feed.ts"
export type { NotificationFeed } from "./notify/feed.ts"
export type { NotifyOptions } from "./notify/hook.ts"
export { ListenerSystemService, listenerSystem } from "./notify/system.ts"
export type { ListenerSystem, PollOffThread } from "./notify/system.ts"
export type { SeccompOptions } from "./plugin.ts"
export { decodePolicy, decodePolicyText, isPolicy, policy } from "./policy.ts"
export { toJson } from "./serialize.ts"
export { archNames, syscallName, syscallNames, syscallNumber } from "./syscalls.ts"
