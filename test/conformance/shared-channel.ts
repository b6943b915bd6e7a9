/**
 * The control channel CLONE_VFORK children share (core/launch/channel.ts),
 * attacked in every runtime: bursts of concurrent spawns that end every way a
 * spawn can (exit codes, signals, ENOENT, EACCES, a failed chdir, an execve
 * killed by the policy), on the main thread and in two worker threads at
 * once. Each spawn must get its own report (its own command in its error,
 * its own pid and status), and no target may hold the channel.
 */
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { mixedSpawns, type Outcome } from "../helpers/mixed-spawns.ts"

/** One runtime under test. */
export interface SharedChannelUnderTest {
  readonly runtime: string
  /** The adapter's name in adapters/ ("node", "deno", "bun"). */
  readonly adapter: string
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
}

const workerFixture = fileURLToPath(new URL("../fixtures/worker-mixed-spawns.ts", import.meta.url))

const mismatches = (outcomes: ReadonlyArray<Outcome>): ReadonlyArray<Outcome> => outcomes.filter((outcome) => outcome.expected !== outcome.got)

/** Registers the suite for one runtime. */
export const sharedChannelSuite = (adapter: SharedChannelUnderTest): void => {
  describe(`the shared control channel on ${adapter.runtime}`, () => {
    it("60 concurrent spawns that end every way each get their own report", async () => {
      const outcomes = await mixedSpawns(adapter.run, 60, "main")
      expect(outcomes).toHaveLength(60)
      expect(mismatches(outcomes)).toEqual([])
    })

    it("60 concurrent contained spawns (an init each, on channels and blocks of their own) that end every way each get their own report", async () => {
      const outcomes = await mixedSpawns(adapter.run, 60, "contained", "namespaces")
      expect(outcomes).toHaveLength(60)
      expect(mismatches(outcomes)).toEqual([])
    })

    it("the main thread and two worker threads spawning at once each get their own reports", async () => {
      const inWorker = (tag: string): { readonly worker: Worker; readonly outcomes: Promise<ReadonlyArray<Outcome>> } => {
        const worker = new Worker(workerFixture, { workerData: { runtime: adapter.adapter, count: 30, tag } })
        const outcomes = new Promise<ReadonlyArray<Outcome>>((resolve, reject) => {
          worker.once("message", resolve)
          worker.once("error", reject)
        })
        return { worker, outcomes }
      }
      const workers = [inWorker("w1"), inWorker("w2")]
      try {
        const all = await Promise.all([mixedSpawns(adapter.run, 30, "main"), ...workers.map((worker) => worker.outcomes)])
        expect(all.map((outcomes) => outcomes.length)).toEqual([30, 30, 30])
        expect(all.flatMap(mismatches)).toEqual([])
      } finally {
        await Promise.all(workers.map(({ worker }) => worker.terminate()))
      }
    })

    it("a target holds no fd but its stdio, so it cannot write into a later child's report", async () => {
      await adapter.run(["true"], { env: {}, containment: "process-group" })
      const result = await adapter.run(["sh", "-c", "ls /proc/$$/fd"], { env: { PATH: "/usr/bin:/bin" }, containment: "process-group" })
      expect(result.stdout.split("\n").filter((fd) => fd !== "").sort()).toEqual(["0", "1", "2"])
    })
  })
}
