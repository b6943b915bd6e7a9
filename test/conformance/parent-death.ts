/** A child dies with its supervisor, even when the supervisor is SIGKILLed; for any adapter. */
import { spawn as spawnProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { alive, waitUntil } from "../helpers/processes.ts"

/** The supervisor fixture: starts `sleep 60` with the adapter of one runtime and prints its pid. */
export const sleeperFixture: string = fileURLToPath(new URL("../fixtures/spawn-sleeper.ts", import.meta.url))

/**
 * Registers the suite; `supervisor(mode)` is the argv that runs `sleeperFixture`
 * in the runtime under test with arguments `<runtime> <mode>`.
 */
export const parentDeathSuite = (runtime: string, supervisor: (mode: "die" | "outlive") => ReadonlyArray<string>): void => {
  /** SIGKILL a supervisor that started `sleep 60`; tell whether the sleeper survived it. */
  const sleeperSurvivesSupervisorKill = async (mode: "die" | "outlive"): Promise<boolean> => {
    const [command = "", ...args] = supervisor(mode)
    const process_ = spawnProcess(command, args, { stdio: ["ignore", "pipe", "inherit"] })
    const [line] = (await once(process_.stdout, "data")) as [Buffer]
    const pid = Number(line.toString().trim())
    expect(alive(pid)).toBe(true)
    process_.kill("SIGKILL")
    await once(process_, "exit")
    const gone = await waitUntil(() => !alive(pid), 2000)
    if (!gone) process.kill(pid, "SIGKILL")
    return !gone
  }

  describe(`parent-death signal on ${runtime}`, () => {
    it("kills the child when its supervisor is SIGKILLed", async () => {
      expect(await sleeperSurvivesSupervisorKill("die")).toBe(false)
    })

    it("lets the child outlive the supervisor with parentDeathSignal: false", async () => {
      expect(await sleeperSurvivesSupervisorKill("outlive")).toBe(true)
    })
  })
}
