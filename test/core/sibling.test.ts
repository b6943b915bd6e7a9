/** Where adapters find their launcher entry: next to themselves, with their own extension. */
import { describe, expect, it } from "vitest"
import { siblingModule } from "../../core/sibling.ts"

describe("siblingModule", () => {
  it("keeps .ts when running from source", () => {
    expect(siblingModule("launcher", "file:///repo/adapters/node/runtime.ts")).toBe("file:///repo/adapters/node/launcher.ts")
  })

  it("uses .js in the built package", () => {
    expect(siblingModule("launcher", "file:///app/node_modules/kakoi/dist/adapters/node/runtime.js")).toBe(
      "file:///app/node_modules/kakoi/dist/adapters/node/launcher.js"
    )
  })
})
