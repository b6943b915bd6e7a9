/**
 * The result of `run` follows its options, from a consumer's point of view,
 * checked by the type checker only (`npm run typecheck`, `typecheck:bun`,
 * `typecheck:deno`): text by default, bytes with `encoding: "buffer"`, lines
 * with `lines: true`, `all` only with `all: true`; the same through
 * `runEffect`. Nothing here is meant to run; `consumer` is never called.
 */
import { Effect } from "effect"
import { run, runEffect, spawn, type RunResult, type SpawnResult } from "../../mod.ts"

/** True only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(_proof: Equals<A, B>): void => {}

/** The success of an Effect. */
type SuccessOf<T> = T extends Effect.Effect<infer A, unknown, unknown> ? A : never

export const consumer = async (): Promise<void> => {
  const text = await run(["echo", "hi"])
  same<typeof text.stdout, string>(true)
  same<typeof text.all, undefined>(true)
  same<typeof text, RunResult>(true)

  const bytes = await run(["printf", String.raw`\377`], { encoding: "buffer", timeout: 300 })
  same<typeof bytes.stdout, Uint8Array>(true)
  same<typeof bytes.stderr, Uint8Array>(true)
  // @ts-expect-error: bytes are not a string
  const notText: string = bytes.stdout

  const lines = await run(["ls"], { lines: true, all: true })
  same<typeof lines.stdout, ReadonlyArray<string>>(true)
  same<typeof lines.all, ReadonlyArray<string>>(true)

  const interleaved = await run(["ls"], { all: true, encoding: "buffer", maxBuffer: 1000 })
  same<typeof interleaved.all, Uint8Array>(true)

  // Options typed as a whole (say, from configuration) give the union of the shapes.
  const chosen: { readonly encoding: "utf8" | "buffer" } = { encoding: "buffer" }
  const either = await run(["ls"], chosen)
  same<typeof either.stdout, string | Uint8Array>(true)

  const effect = runEffect(["ls"], { encoding: "buffer", cancelSignal: AbortSignal.timeout(100) })
  same<SuccessOf<typeof effect>["stdout"], Uint8Array>(true)

  const child = await spawn(["sleep", "5"], { timeout: 300, killSignal: "SIGINT", forceKillAfterDelay: false })
  same<Awaited<typeof child.result>, SpawnResult>(true)
  const ended: SpawnResult = await child.result
  same<typeof ended.timedOut, boolean>(true)
  // @ts-expect-error: spawn collects no output, so it takes no output options
  await spawn(["ls"], { encoding: "buffer" })
  // @ts-expect-error: a signal name, not a number
  await run(["ls"], { killSignal: 9 })

  void notText
}
