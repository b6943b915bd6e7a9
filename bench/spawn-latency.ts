/**
 * Cold sandboxed spawn latency: how long until `/bin/true` has run and exited,
 * started by kakoi's `run()` (launcher → execve) and by plain
 * `child_process.spawn`, interleaved in the same process. Two runtime boots
 * show where kakoi's time goes: Node's own startup (`node -e ""`) and Node's
 * startup with type stripping, which the launcher pays because its entry is a
 * .ts file (design.md: a warm pool of launchers is the way around startup).
 *
 * Every case ignores the child's stdio: run() then collects no output, which
 * matches plain spawn and keeps clear of a rare hang in run()'s output
 * collection (a race between child exit and the pipes closing).
 *
 * Run: node bench/spawn-latency.ts [runs]   (default 50, after 5 warm-up rounds)
 */
import { spawn } from "node:child_process"
import { run } from "../adapters/node/mod.ts"
import { policy, seccomp } from "../plugins/seccomp/mod.ts"
import { compare, machine, report } from "./measure.ts"

const runs = Number(process.argv[2] ?? 50)
const warmup = 5
const target = "/bin/true"

/** Plain spawn to exit, failing loudly on anything but exit code 0. */
const plain = (command: string, args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore" })
    child.once("error", reject)
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ended with ${signal ?? `exit code ${code}`}`)))
  })

const kakoi = async (options: Parameters<typeof run>[1]): Promise<void> => {
  const result = await run([target], { ...options, stdio: "ignore" })
  if (result.exitCode !== 0) throw new Error(`kakoi run ${target} ended with ${result.signal ?? `exit code ${result.exitCode}`}`)
}

// Compiled at the first spawn (a warm-up run) and cached, as in a long-lived supervisor.
const fence = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))

const samples = await compare([
  { label: `child_process.spawn ${target}`, task: () => plain(target, []) },
  { label: `runtime boot: node -e ""`, task: () => plain(process.execPath, ["-e", ""]) },
  { label: `runtime boot, TS entry: node --input-type=module-typescript -e ""`, task: () => plain(process.execPath, ["--no-warnings", "--input-type=module-typescript", "-e", ""]) },
  { label: `kakoi run ${target}, no plugins`, task: () => kakoi({}) },
  { label: `kakoi run ${target}, seccomp errno mkdir/mkdirat`, task: () => kakoi({ plugins: [fence] }) }
], runs, warmup)

report(`Cold spawn latency, median of ${runs} runs (${machine()})`, samples)
