/** Linux signal names and numbers (core/arch: x86_64 and aarch64 share them), and how execa-style messages describe them. */
import { constants, signals as signalNumbers } from "./arch/generic.ts"

/**
 * A Linux signal by name (SIGRTMIN and up have no name here).
 *
 * @example
 * ```ts
 * import type { SignalName } from "./signals.ts"
 *
 * const graceful: SignalName = "SIGTERM"
 * ```
 */
export type SignalName = keyof typeof signalNumbers

const descriptions: Partial<Record<SignalName, string>> = {
  SIGHUP: "Hangup", SIGINT: "User interruption with CTRL-C", SIGQUIT: "User interruption with CTRL-\\",
  SIGILL: "Invalid machine instruction", SIGABRT: "Aborted", SIGBUS: "Bus error", SIGFPE: "Floating point arithmetic error",
  SIGKILL: "Forced termination", SIGSEGV: "Segmentation fault", SIGPIPE: "Broken pipe", SIGALRM: "Timeout or timer",
  SIGTERM: "Termination", SIGXCPU: "CPU time limit exceeded", SIGXFSZ: "File too big", SIGSYS: "Bad system call"
}

/**
 * Highest real-time signal number on Linux (SIGRTMAX).
 *
 * @example
 * ```ts
 * import { lastSignal } from "./signals.ts"
 *
 * const valid = (signal: number): boolean => signal >= 1 && signal <= lastSignal
 * ```
 */
export const lastSignal: number = constants.SIGRTMAX

/**
 * Whether `name` is a signal name (case matters: "SIGTERM", not "sigterm").
 *
 * @example
 * ```ts
 * import { isSignalName } from "./signals.ts"
 *
 * isSignalName("SIGTERM") // true
 * isSignalName("SIGFOO") // false
 * ```
 */
export const isSignalName = (name: string): name is SignalName => Object.hasOwn(signalNumbers, name)

/**
 * The number of a signal on x86_64.
 *
 * @example
 * ```ts
 * import { signalNumber } from "./signals.ts"
 *
 * 128 + signalNumber("SIGKILL") // 137, a shell's status for a SIGKILLed command
 * ```
 */
export const signalNumber = (name: SignalName): number => signalNumbers[name]

/**
 * The name of a signal number; undefined for real-time signals and non-signals.
 *
 * @example
 * ```ts
 * import { signalName } from "./signals.ts"
 *
 * signalName(31) // "SIGSYS"
 * signalName(40) // undefined
 * ```
 */
export const signalName = (signal: number): SignalName | undefined =>
  (Object.keys(signalNumbers) as Array<SignalName>).find((name) => signalNumbers[name] === signal)

/**
 * "Bad system call" for SIGSYS; the name itself where there is no common description.
 *
 * @example
 * ```ts
 * import { describeSignal } from "./signals.ts"
 *
 * describeSignal("SIGSYS") // "Bad system call"
 * describeSignal("SIGWINCH") // "SIGWINCH"
 * ```
 */
export const describeSignal = (name: SignalName): string => descriptions[name] ?? name
