/** `kakoi supervise` end to end: runs the example tree, prints events and tagged lines, stops on SIGINT. */
import { describe, expect, it } from "vitest"
import { kakoi, lines, startKakoi } from "./kakoi.ts"

const tree = new URL("../../examples/worker-pool.json", import.meta.url).pathname

describe("kakoi supervise", () => {
  it("runs the example tree and stops it gracefully on SIGINT", async () => {
    const running = await startKakoi(["supervise", tree])
    process.kill(running.pid, "SIGINT")
    expect(await running.exit).toBe(0)
  })

  it("names the mistake in a tree it cannot run", () => {
    const result = kakoi(["supervise", "/nonexistent/tree.json"])
    expect(result.status).toBe(2)
    expect(lines(result.stderr)[0]).toMatch(/^kakoi: Cannot read the tree "\/nonexistent\/tree.json": /)
  })
})
