/** A child dies with its supervisor, even when the supervisor is SIGKILLed. */
import { spawn as spawnProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const fixture = fileURLToPath(new URL("../fixtures/spawn-sleeper.ts", import.meta.url))

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const waitUntil = async (condition: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return condition()
}

/** SIGKILL a supervisor that started `sleep 60`; tell whether the sleeper survived it. */
const sleeperSurvivesSupervisorKill = async (mode: "die" | "outlive"): Promise<boolean> => {
  const supervisor = spawnProcess(process.execPath, [fixture, mode], { stdio: ["ignore", "pipe", "inherit"] })
  const [line] = (await once(supervisor.stdout, "data")) as [Buffer]
  const pid = Number(line.toString().trim())
  expect(alive(pid)).toBe(true)
  supervisor.kill("SIGKILL")
  await once(supervisor, "exit")
  const gone = await waitUntil(() => !alive(pid), 2000)
  if (!gone) process.kill(pid, "SIGKILL")
  return !gone
}

describe("parent-death signal", () => {
  it("kills the child when its supervisor is SIGKILLed", async () => {
    expect(await sleeperSurvivesSupervisorKill("die")).toBe(false)
  })

  it("lets the child outlive the supervisor with parentDeathSignal: false", async () => {
    expect(await sleeperSurvivesSupervisorKill("outlive")).toBe(true)
  })
})
