/**
 * The root entry `kakoi` (mod.ts): every member it exports is checked. The
 * adapter's functions are the ones of the adapter for the runtime it runs in;
 * everything else is the very value of the module it comes from (so
 * `instanceof PolicyError` holds whichever entry a program imported).
 */
import { expect, it } from "vitest"
import type { Adapter } from "../../adapters/portable.ts"
import * as denoPermissionError from "../../adapters/deno/permission-error.ts"
import * as spawnErrors from "../../core/errors.ts"
import * as nativeError from "../../core/native-error.ts"
import * as supervisor from "../../core/supervisor/mod.ts"
import * as root from "../../mod.ts"
import * as rlimit from "../../plugins/rlimit/mod.ts"
import * as seccomp from "../../plugins/seccomp/mod.ts"

/** Every member of `Adapter`: the type below fails to compile when one is missing from this list. */
const adapterMembers = ["run", "spawn", "runEffect", "loadPolicy", "learn", "trapInProcess", "layer", "supervise", "superviseEffect"] as const
const complete: Exclude<keyof Adapter, (typeof adapterMembers)[number]> extends never ? true : false = true

/** Where the root's other members come from. */
const sources: Readonly<Record<string, unknown>> = { ...seccomp, ...rlimit, ...supervisor, ...spawnErrors, ...nativeError, ...denoPermissionError }

/** `adapter` is what the root should pick here: web streams in every runtime. */
export const rootSuite = (runtime: string, adapter: Adapter): void => {
  it(`the root entry exports the ${runtime} adapter, and every other member from its own module`, () => {
    expect(complete).toBe(true)
    for (const name of adapterMembers) expect(root[name], name).toBe(adapter[name])
    const members = Object.entries(root as Readonly<Record<string, unknown>>)
    expect(members.length).toBeGreaterThan(adapterMembers.length)
    for (const [name, value] of members) {
      expect(value, name).toBeDefined()
      if ((adapterMembers as ReadonlyArray<string>).includes(name)) continue
      expect(Object.hasOwn(sources, name), `${name} comes from a known module`).toBe(true)
      expect(value, name).toBe(sources[name])
    }
  })
}
