/**
 * Runs fence steps for real: compiled into the child program and run by the
 * C harness (test/core/program-harness.c, which clones into the interpreter
 * as an adapter does, with the program's cloneFlags), with fence-probe.c as
 * the target. Supervisor fds the steps name (a Landlock ruleset, a
 * cgroup.procs, open in this process) are handed to the harness and the
 * steps renumbered to where the harness holds them. The probe is static and
 * lives under /var/tmp, which neither a private /tmp nor the hidden homes cover.
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import type { PreExecStep } from "../../core/steps.ts"
import { compileProgram } from "../../core/program/mod.ts"
import { base, machines, passedFdBase, runProgram, runProgramAsync, type Machine, type Run } from "../core/program-harness.ts"
import { buildC } from "./build-c.ts"

const machine = machines[0] as Machine
let harness: ReadonlyArray<string> | undefined
let probe: string | undefined

/** The probe binary's directory (bind it into an empty root). */
export const probeDirectory = (): string => {
  if (probe === undefined) {
    const directory = mkdtempSync("/var/tmp/kakoi-probe-")
    chmodSync(directory, 0o755)
    probe = join(directory, "fence-probe")
    copyFileSync(buildC(join(import.meta.dirname, "fence-probe.c"), ["-static"]), probe)
    chmodSync(probe, 0o755)
  }
  return join(probe, "..")
}

/** Removes the probe's directory (each suite that runs fenced probes calls it in afterAll). */
export const removeProbe = (): void => {
  if (probe !== undefined) rmSync(join(probe, ".."), { recursive: true, force: true })
  probe = undefined
}

/** Drops root for the harness, as an unprivileged supervisor would run. */
export const asNobody: ReadonlyArray<string> = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

export interface FencedRun {
  /** One line per probe. */
  readonly lines: ReadonlyArray<string>
  readonly run: Run
}

const supervisorFd = (step: PreExecStep): number | undefined =>
  step.kind === "join-cgroup" ? step.procsFd : step.kind === "landlock" ? step.rulesetFd : undefined

/** Runs `probes` (fence-probe.c's arguments) under `steps`; `as` runs the harness as another user. */
export const runFenced = (steps: ReadonlyArray<PreExecStep>, probes: ReadonlyArray<string>, as?: ReadonlyArray<string>): FencedRun =>
  runCommandFenced(steps, [join(probeDirectory(), "fence-probe"), ...probes], as)

/** The program and harness options for `argv` under `steps`, supervisor fds renumbered to where the harness holds them. */
const prepare = (steps: ReadonlyArray<PreExecStep>, argv: ReadonlyArray<string>, as: ReadonlyArray<string> | undefined) => {
  harness ??= machine.build()
  const fds = [...new Set(steps.map(supervisorFd).filter((fd) => fd !== undefined))]
  const moved = (fd: number): number => passedFdBase + fds.indexOf(fd)
  const renumbered = steps.map((step): PreExecStep =>
    step.kind === "join-cgroup" ? { ...step, procsFd: moved(step.procsFd) }
    : step.kind === "landlock" && step.rulesetFd !== undefined ? { kind: "landlock", rulesetFd: moved(step.rulesetFd) }
    : step)
  const program = compileProgram({ ...base, argv, steps: renumbered }, machine.arch)
  return { harness, program, options: { passFds: fds, ...(as === undefined ? {} : { as }) } }
}

const fenced = (run: Run): FencedRun => ({ lines: run.stdout.split("\n").slice(0, -1), run })

/** Runs `argv` (PATH is /usr/bin:/bin) under `steps`; `as` runs the harness as another user. */
export const runCommandFenced = (steps: ReadonlyArray<PreExecStep>, argv: ReadonlyArray<string>, as?: ReadonlyArray<string>): FencedRun => {
  const { harness, program, options } = prepare(steps, argv, as)
  return fenced(runProgram(machine, harness, program, options))
}

/** `runCommandFenced` without blocking, for many children at once. */
export const runCommandFencedAsync = async (steps: ReadonlyArray<PreExecStep>, argv: ReadonlyArray<string>, as?: ReadonlyArray<string>): Promise<FencedRun> => {
  const { harness, program, options } = prepare(steps, argv, as)
  return fenced(await runProgramAsync(machine, harness, program, options))
}
