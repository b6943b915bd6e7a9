/** Linux signal names and numbers (x86_64), and how execa-style messages describe them. */

const signalNumbers = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31
} as const

export type SignalName = keyof typeof signalNumbers

const descriptions: Partial<Record<SignalName, string>> = {
  SIGHUP: "Hangup", SIGINT: "User interruption with CTRL-C", SIGQUIT: "User interruption with CTRL-\\",
  SIGILL: "Invalid machine instruction", SIGABRT: "Aborted", SIGBUS: "Bus error", SIGFPE: "Floating point arithmetic error",
  SIGKILL: "Forced termination", SIGSEGV: "Segmentation fault", SIGPIPE: "Broken pipe", SIGALRM: "Timeout or timer",
  SIGTERM: "Termination", SIGXCPU: "CPU time limit exceeded", SIGXFSZ: "File too big", SIGSYS: "Bad system call"
}

/** Highest real-time signal number on Linux (SIGRTMAX). */
export const lastSignal = 64

export const isSignalName = (name: string): name is SignalName => Object.hasOwn(signalNumbers, name)

export const signalNumber = (name: SignalName): number => signalNumbers[name]

export const signalName = (signal: number): SignalName | undefined =>
  (Object.keys(signalNumbers) as Array<SignalName>).find((name) => signalNumbers[name] === signal)

/** "Bad system call" for SIGSYS; the name itself where there is no common description. */
export const describeSignal = (name: SignalName): string => descriptions[name] ?? name
