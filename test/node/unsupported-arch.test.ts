/** On an architecture kakoi has no interpreter for, spawning fails with a typed error that names it and the supported ones. */
import { afterEach, describe, expect, it } from "vitest"
import { nodeBinding } from "../../adapters/node/runtime.ts"
import { makeAdapter } from "../../adapters/shared/make-adapter.ts"

const realArch = process.arch

describe("an unsupported architecture", () => {
  afterEach(() => void Object.defineProperty(process, "arch", { value: realArch }))

  it("fails the spawn with UnsupportedArchitecture (from the adapter's layer, before any clone)", async () => {
    // A fresh adapter: its launcher (and the interpreter for the host arch) is made at its first spawn.
    const { run } = makeAdapter(nodeBinding)
    Object.defineProperty(process, "arch", { value: "riscv64" })
    await expect(run(["/bin/true"])).rejects.toMatchObject({
      _tag: "UnsupportedArchitecture",
      arch: "riscv64",
      message: 'Cannot start sandboxed children on "riscv64": kakoi supports x86_64, aarch64'
    })
  })
})
