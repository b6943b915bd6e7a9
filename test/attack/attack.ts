/**
 * What every attack test needs: the C programs of the attacks built once per
 * file (static, so they also run under policies that deny every open), and a
 * run of one under a policy that returns its one line of output. The child is
 * the attacker; the policy is written the way its author would.
 */
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { expect } from "vitest"
import { run, type RunOptions } from "../../adapters/node/mod.ts"
import { layer } from "../../adapters/node/libseccomp.ts"
import type { Explanation, ExplainQuery, OciProfile, Policy, PolicyJson, SeccompLibrary } from "../../plugins/seccomp/mod.ts"
import { explain, policy, seccomp } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

/** The fixtures the attacks use, by name (test/fixtures/NAME.c). */
export type Program = "attack-probe" | "syscall-probe" | "floor-probe" | "io-uring-mkdirat"

const built = new Map<Program, string>()

/** The path of a fixture built statically (once per test file). */
export const program = (name: Program): string => {
  const known = built.get(name)
  if (known !== undefined) return known
  const path = buildC(fileURLToPath(new URL(`../fixtures/${name}.c`, import.meta.url)), ["-static"])
  built.set(name, path)
  return path
}

/**
 * A probe's line when the filter refused the call with some errno (a fix may pick another errno than
 * EPERM): not "ok", and not EFAULT, which the kernel answers a call that reached it with a probe's guessed address.
 */
export const refused: RegExp = /^errno (?!14$)\d+$/

/** A 64-bit value as the probes read it. */
export const hex = (value: bigint | number): string => `0x${value.toString(16)}`

/** Runs `argv` under `input` (kakoi JSON, a Docker/OCI profile, or a Policy) and returns its single line of stdout. */
export const attack = async (input: PolicyJson | OciProfile | Policy, argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<string> => {
  const result = await run(argv, { ...options, plugins: [seccomp(policy(input as PolicyJson))] })
  expect(result.exitCode, `${argv.join(" ")}: ${result.stderr}${result.diagnosis?.message ?? ""}`).toBe(0)
  return result.stdout.trim()
}

/** `syscall-probe NR ARGS...` under `input`: "ok N" or "errno N". */
export const probe = (input: PolicyJson | OciProfile | Policy, nr: number, ...args: ReadonlyArray<bigint | number>): Promise<string> =>
  attack(input, [program("syscall-probe"), String(nr), ...args.map(hex)])

/** `explain()` with the real libseccomp. */
export const explained = (input: PolicyJson | OciProfile | Policy, query: ExplainQuery): Promise<Explanation> =>
  Effect.runPromise(Effect.provide(explain(policy(input as PolicyJson), query) as Effect.Effect<Explanation, unknown, SeccompLibrary>, layer))
