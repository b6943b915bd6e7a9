/** Linux signal names and numbers (core/arch: x86_64 and aarch64 share them), and how execa-style messages describe them. */
import { constants, signals as signalNumbers } from "./arch/generic.ts"

export type SignalName = keyof typeof signalNumbers

const descriptions: Partial<Record<SignalName, string>> = {
  SIGHUP: "Hangup", SIGINT: "User interruption with CTRL-C", SIGQUIT: "User interruption with CTRL-\\",
  SIGILL: "Invalid machine instruction", SIGABRT: "Aborted", SIGBUS: "Bus error", SIGFPE: "Floating point arithmetic error",
  SIGKILL: "Forced termination", SIGSEGV: "Segmentation fault", SIGPIPE: "Broken pipe", SIGALRM: "Timeout or timer",
  SIGTERM: "Termination", SIGXCPU: "CPU time limit exceeded", SIGXFSZ: "File too big", SIGSYS: "Bad system call"
}

/** Highest real-time signal number on Linux (SIGRTMAX). */
export const lastSignal: number = constants.SIGRTMAX

export const isSignalName = (name: string): name is SignalName => Object.hasOwn(signalNumbers, name)

export const signalNumber = (name: SignalName): number => signalNumbers[name]

export const signalName = (signal: number): SignalName | undefined =>
  (Object.keys(signalNumbers) as Array<SignalName>).find((name) => signalNumbers[name] === signal)

/** "Bad system call" for SIGSYS; the name itself where there is no common description. */
export const describeSignal = (name: SignalName): string => descriptions[name] ?? name
