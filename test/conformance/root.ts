/** The root entry `kakoi` (mod.ts) hands out the adapter of the runtime it runs in. */
import { expect, it } from "vitest"
import type { Adapter } from "../../adapters/portable.ts"
import * as root from "../../mod.ts"

/** `adapter` is what the root should pick here: web streams in every runtime. */
export const rootSuite = (runtime: string, adapter: Adapter): void => {
  it(`the root entry exports the ${runtime} adapter`, () => {
    for (const name of ["run", "spawn", "runEffect", "loadPolicy", "trapInProcess", "layer", "supervise", "superviseEffect"] as const) expect(root[name]).toBe(adapter[name])
  })
}
